// Secrets never reach git: a pod template may not carry a token, password or PAT as a literal.
// Two checks, neither of which ever echoes the value:
// - an env var whose name looks like a secret (TOKEN, PASSWORD, PASSWD, SECRET anywhere; PAT as
//   a word, so PATH or DISPATCH_URL are not flagged), compared case- and whitespace-insensitively,
//   may not have a `value` (only `valueFrom`). A file path (`*_FILE`, `*_PATH`, `*_DIR` with an
//   absolute value, e.g. AZP_TOKEN_FILE=/azp/token) names where a secret is, not the secret;
// - any literal string (env values, args, command) may not contain something shaped like an
//   Azure DevOps PAT: 52 characters of lower-case base32 (a-z, 2-7), or the 84-character format
//   (letters and digits with the fixed signature "AZDO" at characters 77–80).

const SECRET_WORD = /TOKEN|PASSWORD|PASSWD|SECRET/;
const PAT_WORD = /(^|[^A-Z])PAT([^A-Z]|$)/;
const PATH_NAME = /_(FILE|PATH|DIR)$/;
const CLASSIC_PAT = /(?<![A-Za-z0-9])[a-z2-7]{52}(?![A-Za-z0-9])/;
const NEW_PAT = /(?<![A-Za-z0-9])[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])/;

/** The name with whitespace removed and upper-cased, as the secret check compares it. */
export function normalizeEnvName(name: string): string {
  return name.replace(/\s+/g, '').toUpperCase();
}

export function looksLikeSecretName(name: string): boolean {
  const n = normalizeEnvName(name);
  return SECRET_WORD.test(n) || PAT_WORD.test(n);
}

/** True when a literal value for this name is still allowed: a path to where the secret is. */
export function isSecretPathValue(name: string, value: unknown): boolean {
  return PATH_NAME.test(normalizeEnvName(name)) && typeof value === 'string' && value.startsWith('/');
}

export function containsPat(s: string): boolean {
  return s.length >= 52 && (CLASSIC_PAT.test(s) || NEW_PAT.test(s));
}

export const PAT_SHAPE = '52 lower-case base32 characters, or 84 characters with the AZDO signature';
