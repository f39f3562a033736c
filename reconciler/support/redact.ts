// The one redactor: every text that leaves the process (a log line, an error message) passes
// through it. A secret is replaced wherever it can appear: raw, JSON-escaped (a log line is JSON),
// percent-encoded, base64-encoded at any byte offset (an HTTP Basic header, a kubeconfig or a
// Secret's data), and in any URL's userinfo, known or not (isomorphic-git errors carry the remote URL).
// Anything shaped like an Azure DevOps PAT is masked too, known to this process or not.
import { PAT_PATTERN } from './patShape.ts';

/** Shorter secrets are left alone: replacing every `abc` would mangle every line. */
export const MIN_SECRET_LENGTH = 4;
const MASK = '***';

// Userinfo ends at `@`; it cannot hold `/ ? #`, whitespace or quotes, so a URL inside a JSON line
// never reaches into the next field.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/?#@\s"'\\<>]*)@/gi;

/** `https://user:token@host/path` → `https://host/path`: a URL fit to name a remote in a message. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1');
}

/**
 * In free text, userinfo keeps its user name and loses the rest: `https://bot:***@host`. A bare
 * userinfo may itself be a token (`https://<token>@host`), so it is masked whole.
 */
function maskUserinfo(text: string): string {
  return text.replace(USERINFO, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(':');
    return `${scheme}${colon < 0 ? MASK : info.slice(0, colon + 1) + MASK}@`;
  });
}

/**
 * The base64 characters that depend on the secret alone, for each of the three offsets it can
 * sit at in the encoded bytes (`user:token` encodes the token at offset 5): standard and URL-safe.
 */
function base64Forms(secret: string): string[] {
  const raw = Buffer.from(secret);
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    // Character i carries bits [6i, 6i+6): keep those wholly inside the secret's bytes.
    const form = encoded.slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + raw.length) * 8) / 6));
    if (form.length >= MIN_SECRET_LENGTH) forms.push(form, form.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Every form of the secret a text can carry; none for a secret shorter than MIN_SECRET_LENGTH. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), ...base64Forms(secret)])];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A function that redacts the given secrets (their forms computed once) and URL userinfo. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // One pass over the text. Longest first: a form contained in a longer one must not leave the
  // rest of that one behind.
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp([...forms, PAT_PATTERN.source].join('|'), 'g');
  return (text) => maskUserinfo(text.replace(pattern, MASK));
}

/** Replaces every form of each secret, the password (or bare token) of every URL's userinfo and every PAT shape with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets)(text);
}

const CAUSE_DEPTH = 3;
const CAUSE_MESSAGE_MAX = 300;

/**
 * A stand-in for a caught error, fit to keep as a typed error's `cause`: its name, `code` and HTTP
 * status, the first line of its message redacted (at most 300 characters), and its own cause the
 * same way, three levels deep. Never the original object: a client's error can hold the request,
 * its headers and so the token, and `cause` is printed wherever the error is inspected.
 */
export function redactedCause(err: unknown, redact: (text: string) => string, depth = CAUSE_DEPTH): Error {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown; message?: unknown; code?: unknown; statusCode?: unknown; status?: unknown; cause?: unknown;
  };
  const text = typeof e.message === 'string' ? e.message : typeof err === 'object' && err !== null ? '' : String(err);
  const inner = depth > 1 && e.cause !== undefined ? { cause: redactedCause(e.cause, redact, depth - 1) } : undefined;
  const out = new Error(redact(text.split('\n')[0]!.slice(0, CAUSE_MESSAGE_MAX)), inner);
  if (typeof e.name === 'string') out.name = e.name;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  return Object.assign(out, typeof e.code === 'string' ? { code: e.code } : {}, status !== undefined ? { statusCode: status } : {});
}
