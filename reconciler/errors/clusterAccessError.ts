// Kept apart from cluster/kubeFailure.ts so that main.ts can recognise it without loading the
// Kubernetes client (commands that never reach the cluster do not pay for it).
/** The cluster refused our credentials or rights at start-up: a setting to fix. Exit 2. */
export class ClusterAccessError extends Error {
  override readonly name = 'ClusterAccessError';
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}
