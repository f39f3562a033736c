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
