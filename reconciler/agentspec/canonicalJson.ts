// Canonical JSON: object keys sorted recursively, so equal content gives equal text.
import { createHash } from 'node:crypto';

export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortDeep(v));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortDeep(x);
    }
    return out;
  }
  return v;
}

/** sha256 hex of the canonical JSON, first `length` characters. */
export function shortHash(v: unknown, length = 10): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, length);
}
