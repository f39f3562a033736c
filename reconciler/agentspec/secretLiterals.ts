// Secrets never reach git: a pod template may not carry a token, password or PAT as a literal.
// Two checks, neither of which ever echoes the value:
// - an env var whose name looks like a secret (TOKEN, PASSWORD, PASSWD, SECRET anywhere; PAT as
//   a word, so PATH or DISPATCH_URL are not flagged), compared case- and whitespace-insensitively,
//   may not have a `value` (only `valueFrom`). A file path (`*_FILE`, `*_PATH`, `*_DIR` with an
//   absolute value, e.g. AZP_TOKEN_FILE=/azp/token) names where a secret is, not the secret;
// - any literal string (env values, args, command) may not contain something shaped like an
//   Azure DevOps PAT (support/patShape.ts, which podTemplate.ts asks).

const SECRET_WORD = /TOKEN|PASSWORD|PASSWD|SECRET/;
const PAT_WORD = /(^|[^A-Z])PAT([^A-Z]|$)/;
const PATH_NAME = /_(FILE|PATH|DIR)$/;

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
