// Canonical JSON: object keys sorted recursively, so equal content gives equal text.
import { createHash } from 'node:crypto';
import { sortKeysDeep } from './compare.ts';

export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeysDeep(v));
}

/** sha256 hex of the canonical JSON, first `length` characters. */
export function shortHash(v: unknown, length = 10): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, length);
}
