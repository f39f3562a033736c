// Deterministic orders: what the reconciler writes, hashes or reports comes out the same for the
// same content, whatever the order it was read in or the machine's locale.

/** Code-unit order (as `Array.prototype.sort` without a comparator), never the locale's. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A copy with the keys of every plain object sorted (`compareKeys`, code-unit order by default)
 * and undefined values dropped; arrays keep their order, Dates stay Dates.
 */
export function sortKeysDeep(v: unknown, compareKeys: (a: string, b: string) => number = compareStrings): unknown {
  if (Array.isArray(v)) return v.map((x) => sortKeysDeep(x, compareKeys));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(compareKeys)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeysDeep(x, compareKeys);
    }
    return out;
  }
  return v;
}
