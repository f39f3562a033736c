// PAT basic auth as the service takes it: the password is the token, the user name is ignored.
import { timingSafeEqual } from 'node:crypto';

/** The token a request carries (basic password or bearer), or undefined. */
export function tokenOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

export function isValidToken(token: string | undefined, valid: readonly string[]): boolean {
  if (!token) return false;
  const given = Buffer.from(token);
  return valid.some((v) => {
    const expected = Buffer.from(v);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
