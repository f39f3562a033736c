// Maps isomorphic-git / network failures to the typed git errors, with credentials stripped.
import { GitAuthError, GitOperationError, GitUnreachableError } from '../errors/gitErrors.ts';
import { createRedactor, redactedCause, redactUrl } from '../support/redact.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ABORT_ERR',
]);

interface IsoGitErrorShape {
  code?: string;
  message?: string;
  data?: { statusCode?: number; statusMessage?: string; response?: string; reason?: string };
  cause?: unknown;
}

export function httpStatusOf(err: unknown): number | undefined {
  const e = err as IsoGitErrorShape | undefined;
  return e?.code === 'HttpError' ? e.data?.statusCode : undefined;
}

/** True for isomorphic-git's two push rejection shapes (client-side non-fast-forward and server per-ref refusal). */
export function isPushRejection(err: unknown): boolean {
  const code = (err as IsoGitErrorShape | undefined)?.code;
  return code === 'PushRejectedError' || code === 'GitPushError';
}

export function classifyGitError(
  err: unknown,
  operation: string,
  url: string,
  secrets: readonly string[],
  tokenEnvVar: string,
): Error {
  if (err instanceof GitAuthError || err instanceof GitUnreachableError || err instanceof GitOperationError) return err;
  const safeUrl = redactUrl(url);
  const redact = createRedactor(secrets);
  const options = { cause: redactedCause(err, redact) };
  const e = (err ?? {}) as IsoGitErrorShape;
  const status = httpStatusOf(err);
  if (status === 401 || status === 403) return new GitAuthError(operation, safeUrl, status, tokenEnvVar, options);
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) {
    return new GitUnreachableError(operation, safeUrl, status, `HTTP ${status}`, options);
  }
  if (status === 404) {
    return new GitOperationError(operation, safeUrl, 'repository not found (HTTP 404). Check GIT_URL', options);
  }
  const code = e.code ?? (e.cause as IsoGitErrorShape | undefined)?.code;
  if (code && NETWORK_CODES.has(code)) return new GitUnreachableError(operation, safeUrl, undefined, code, options);
  const detail = redact(`${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}`);
  return new GitOperationError(operation, safeUrl, detail, options);
}
