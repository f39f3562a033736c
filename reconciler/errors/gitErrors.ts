// Git remote failures, classified so the loop knows what to do next. Messages never contain a
// token: URLs are passed through redactUrl() by the caller (reconciler/support/redact.ts). A `cause`,
// when given, is the caught error as redactedCause() copies it, never the client's own object.

/** 401/403 from the git remote: the token is wrong, expired or lacks write scope. Retrying will not help. */
export class GitAuthError extends Error {
  override readonly name = 'GitAuthError';
  readonly statusCode: number;
  readonly tokenEnvVar: string;
  constructor(operation: string, url: string, statusCode: number, tokenEnvVar = 'GIT_TOKEN', options?: ErrorOptions) {
    super(
      `${operation} ${url}: the git server refused the credentials (${statusCode}). ` +
        `Check ${tokenEnvVar} (or ${tokenEnvVar}_FILE) and GIT_USERNAME: a token that may read and push this repository ` +
        '(Azure Repos: a PAT with Code (Read & write)) that has not expired',
      options,
    );
    this.statusCode = statusCode;
    this.tokenEnvVar = tokenEnvVar;
  }
}

/** Connection refused, DNS failure, timeout, 5xx: the remote could not be reached. The next pass retries. */
export class GitUnreachableError extends Error {
  override readonly name = 'GitUnreachableError';
  readonly statusCode: number | undefined;
  constructor(operation: string, url: string, statusCode: number | undefined, detail: string, options?: ErrorOptions) {
    super(
      `${operation} ${url}: git remote unreachable (${statusCode ?? detail}). ` +
        'Nothing was written; the next pass retries. Check GIT_URL, DNS and network policy if it persists',
      options,
    );
    this.statusCode = statusCode;
  }
}

/** The branch kept moving under us: every attempt lost the race to another push. */
export class GitPushRetriesExhaustedError extends Error {
  override readonly name = 'GitPushRetriesExhaustedError';
  readonly attempts: number;
  constructor(url: string, branch: string, attempts: number) {
    super(
      `push to ${url} ${branch}: the remote branch moved before each of ${attempts} attempts; nothing was force-pushed and ` +
        'this pass wrote nothing. The next pass re-derives from the new tip. If this repeats, another writer is ' +
        'committing to the same branch in a tight loop: run one reconciler per branch (leader election) or raise GIT_PUSH_ATTEMPTS',
    );
    this.attempts = attempts;
  }
}

/** Any other git failure (server refused the push for another reason, corrupt pack, …). */
export class GitOperationError extends Error {
  override readonly name = 'GitOperationError';
  constructor(operation: string, url: string, detail: string, options?: ErrorOptions) {
    super(`${operation} ${url}: ${detail}`, options);
  }
}
