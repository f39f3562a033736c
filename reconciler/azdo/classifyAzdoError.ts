import {
  AzdoAuthError,
  AzdoRequestError,
  AzdoThrottledError,
  AzdoUnavailableError,
} from '../errors/azdoErrors.ts';
import { createRedactor, redactedCause } from '../support/redact.ts';

/** The shape typed-rest-client gives a rejected call (statusCode, parsed body, rate-limit headers). */
interface RestError {
  statusCode?: number;
  message?: string;
  code?: string;
  result?: { typeKey?: string; message?: string } | null;
  rateLimit?: { retryAfter?: number; delay?: number };
}

const DEFAULT_RETRY_AFTER_SECONDS = 30;
/** The PAT travels in a header, never in the text; URL userinfo is the one credential text can carry. */
const redactUrlUserinfo = createRedactor([]);

/** Turns whatever the client threw into one of our typed errors. Never includes the token. */
export function classifyAzdoError(operation: string, err: unknown): Error {
  if (
    err instanceof AzdoThrottledError ||
    err instanceof AzdoAuthError ||
    err instanceof AzdoUnavailableError ||
    err instanceof AzdoRequestError
  ) {
    return err;
  }
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as RestError;
  const status = e.statusCode;
  const detail = (e.result?.message ?? e.message ?? 'unknown error').slice(0, 300);
  // The client's error holds the request (and its Authorization header): keep a redacted copy.
  // A refusal of the credentials keeps no words at all: they might echo what was refused.
  const options = { cause: redactedCause(err, status === 401 || status === 403 ? () => '' : redactUrlUserinfo) };
  if (status === 429) {
    const wait = e.rateLimit?.retryAfter ?? Math.ceil(e.rateLimit?.delay ?? DEFAULT_RETRY_AFTER_SECONDS);
    return new AzdoThrottledError(operation, Number.isFinite(wait) && wait > 0 ? wait : DEFAULT_RETRY_AFTER_SECONDS, options);
  }
  if (status === 401 || status === 403) return new AzdoAuthError(operation, status, options);
  if (status === undefined || status >= 500 || status === 408) return new AzdoUnavailableError(operation, status, detail, undefined, options);
  return new AzdoRequestError(operation, status, e.result?.typeKey, detail, options);
}

/** Runs one Azure DevOps call, rethrowing failures as typed errors. */
export async function callAzdo<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyAzdoError(operation, err);
  }
}
