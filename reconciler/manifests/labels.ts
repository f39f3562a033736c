// Label and annotation keys of rendered pods (docs/DESIGN.md).
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'azdo-gitops';
export const SPEC_LABEL = 'azdo.gitops.dev/spec';
export const REVISION_LABEL = 'azdo.gitops.dev/spec-revision';
export const POOL_LABEL = 'azdo.gitops.dev/pool';
export const CREATED_AT_ANNOTATION = 'azdo.gitops.dev/created-at';
export const JOB_REQUESTS_ANNOTATION = 'azdo.gitops.dev/job-requests';
export const ARGO_IGNORE_HEALTH_ANNOTATION = 'argocd.argoproj.io/ignore-healthcheck';
export const AGENT_CONTAINER = 'agent';
/**
 * Env var of the agent container naming the pod's AgentSpec. The agent publishes its env as
 * system capabilities, so an agent showing it registered from a pod azdo-gitops rendered: the
 * proof of ownership (plan/agentOwnership.ts). Upper-case with the product's prefix so it cannot
 * meet an image's own variables; a spec capability may not use the name (RESERVED_ENV).
 */
export const SPEC_MARKER_ENV = 'AZDO_GITOPS_SPEC';
/** The agent's list (comma-separated) of env vars it does not publish as capabilities. */
export const AGENT_IGNORE_ENV = 'VSO_AGENT_IGNORE';
/** Always in AGENT_IGNORE_ENV: the PAT never becomes a capability, whatever the image does. */
export const IGNORED_TOKEN_ENV: readonly string[] = ['AZP_TOKEN', 'AZP_TOKEN_FILE'];
