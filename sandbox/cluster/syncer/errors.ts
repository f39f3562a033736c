/** Errors the syncer reports in status.lastError; messages follow what Flux surfaces. */

export class KustomizationPathNotFoundError extends Error {
  constructor(path: string, commit: string) {
    super(
      `kustomization path not found: stat ${path}: no such file or directory ` +
        `(revision ${commit}; git cannot store an empty directory: keep a kustomization.yaml and a sentinel object in it)`,
    );
    this.name = 'KustomizationPathNotFoundError';
  }
}

export class GitSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitSourceError';
  }
}

export class KustomizeBuildError extends Error {
  constructor(message: string) {
    super(`kustomize build failed: ${message}`);
    this.name = 'KustomizeBuildError';
  }
}

/** The whole set failed the dry-run: nothing was applied and nothing pruned (as in Flux). */
export class DryRunFailedError extends Error {
  readonly failures: string[];
  constructor(failures: string[]) {
    super(failures.join('\n'));
    this.name = 'DryRunFailedError';
    this.failures = failures;
  }
}
