# syntax=docker/dockerfile:1
# azdo-gitops: the reconciler on Node.js 24 LTS, running as a non-root user.

# 1. Compile TypeScript to JavaScript (type-checked). The product only: the sandbox, a
#    development tool, is neither copied nor built (tsconfig.build.json).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY reconciler ./reconciler
RUN npm run build

# 2. Production dependencies only (no compiler, no Node.js devDependency).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime: compiled code + production dependencies, non-root, read-only friendly.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    STATE_DIR=/var/lib/azdo-gitops
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /var/lib/azdo-gitops && chown node:node /var/lib/azdo-gitops
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/reconciler/main.js"]
CMD ["run"]
