// The labels every rendered agent pod carries (docs/DESIGN.md). The watch selects on the first.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGER = 'azdo-gitops';
export const SPEC_LABEL = 'azdo.gitops.dev/spec';
export const SPEC_REVISION_LABEL = 'azdo.gitops.dev/spec-revision';
export const POOL_LABEL = 'azdo.gitops.dev/pool';
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGER}`;
