// An answer from the API server other than 2xx. The status and the server's own message (its
// Status object) are what callers branch on (404, 409, 410) and what logs show.

/** The server's message from a Status body, or the body's first line when it is no JSON. */
export function statusMessage(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    return body.trim().split('\n')[0]?.slice(0, 200) || undefined;
  }
  const m = (parsed as { message?: unknown } | null)?.message;
  return typeof m === 'string' && m ? m : undefined;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The HTTP status. */
  readonly code: number;
  /** The raw body the server sent (a Status object as JSON, usually). */
  readonly body: string;
  constructor(code: number, body: string, what: string) {
    super(`${what}: ${code} ${statusMessage(body) ?? 'no message'}`);
    this.code = code;
    this.body = body;
  }
}
