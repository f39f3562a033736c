// What an Azure DevOps personal access token looks like: 52 characters of lower-case base32
// (a-z, 2-7), or the 84-character format (letters and digits with the fixed signature "AZDO" at
// characters 77–80). Pod templates may not carry one (agentspec/secretLiterals.ts); the redactor
// masks one wherever it appears, known to this process or not (support/redact.ts).

const CLASSIC_PAT = '(?<![A-Za-z0-9])[a-z2-7]{52}(?![A-Za-z0-9])';
const NEW_PAT = '(?<![A-Za-z0-9])[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])';

/** Every PAT-shaped run in a text (global: use with `replace`, never with `test`). */
export const PAT_PATTERN = new RegExp(`${CLASSIC_PAT}|${NEW_PAT}`, 'g');

export function containsPat(s: string): boolean {
  return s.length >= 52 && new RegExp(`${CLASSIC_PAT}|${NEW_PAT}`).test(s);
}

export const PAT_SHAPE = '52 lower-case base32 characters, or 84 characters with the AZDO signature';
