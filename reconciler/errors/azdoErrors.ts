// Azure DevOps failures, classified so the loop knows what to do next. A `cause`, when given, is
// the client's error as redactedCause() (support/redact.ts) copies it, never the object itself.

/** 429: the service asked us to wait. The loop sleeps `retryAfterSeconds` before the next call. */
export class AzdoThrottledError extends Error {
  override readonly name = 'AzdoThrottledError';
  readonly retryAfterSeconds: number;
  constructor(operation: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(`${operation}: Azure DevOps throttled this identity (429); waiting ${retryAfterSeconds}s as Retry-After asks`, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 401/403: the PAT is wrong, expired or lacks scope. Retrying will not help. */
export class AzdoAuthError extends Error {
  override readonly name = 'AzdoAuthError';
  readonly statusCode: number;
  constructor(operation: string, statusCode: number, options?: ErrorOptions) {
    super(
      `${operation}: Azure DevOps refused the token (${statusCode}). ` +
        'Check AZDO_TOKEN (or AZDO_TOKEN_FILE): a PAT of this organization with scope "Agent Pools (Read & manage)" that has not expired',
      options,
    );
    this.statusCode = statusCode;
  }
}

/** 5xx, timeouts, connection errors: try again with backoff. */
export class AzdoUnavailableError extends Error {
  override readonly name: string = 'AzdoUnavailableError';
  readonly statusCode: number | undefined;
  constructor(operation: string, statusCode: number | undefined, detail: string, message?: string, options?: ErrorOptions) {
    super(message ?? `${operation}: Azure DevOps is unavailable (${statusCode ?? 'no response'}: ${detail}); retrying with backoff`, options);
    this.statusCode = statusCode;
  }
}

/**
 * A 2xx whose body is not the answer asked for (not JSON, so the client gives null; `{}`; a list
 * item without its id). Unavailable like a 5xx: what was not read is never taken as "none".
 */
export class AzdoUnreadableResponseError extends AzdoUnavailableError {
  override readonly name: string = 'AzdoUnreadableResponseError';
  constructor(operation: string, got: string) {
    super(
      operation,
      undefined,
      got,
      `${operation}: Azure DevOps answered 2xx with a body that is not the expected JSON (${got}), so this pass changes nothing. ` +
        'Check for a proxy, login or maintenance page in front of AZDO_ORG_URL',
    );
  }
}

/** Any other refusal (400, 409, …): the request itself was wrong. */
export class AzdoRequestError extends Error {
  override readonly name = 'AzdoRequestError';
  readonly statusCode: number | undefined;
  readonly typeKey: string | undefined;
  constructor(operation: string, statusCode: number | undefined, typeKey: string | undefined, detail: string, options?: ErrorOptions) {
    super(`${operation}: Azure DevOps rejected the request (${statusCode ?? '?'} ${typeKey ?? ''}): ${detail}`, options);
    this.statusCode = statusCode;
    this.typeKey = typeKey;
  }
}

export class AzdoPoolNotFoundError extends Error {
  override readonly name = 'AzdoPoolNotFoundError';
  readonly poolName: string;
  constructor(poolName: string) {
    super(`agent pool "${poolName}" does not exist in the organization; create it (Organization settings → Agent pools) or fix spec.pool`);
    this.poolName = poolName;
  }
}
