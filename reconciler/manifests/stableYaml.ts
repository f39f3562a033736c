// Deterministic YAML: keys sorted (apiVersion, kind, metadata, name, namespace first), no line folding.
import { stringify } from 'yaml';

const FIRST = ['apiVersion', 'kind', 'metadata', 'name', 'namespace'];

function rank(k: string): number {
  const i = FIRST.indexOf(k);
  return i < 0 ? FIRST.length : i;
}

export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const keys = Object.keys(v).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeysDeep(x);
    }
    return out;
  }
  return v;
}

export function stableYaml(v: unknown): string {
  return stringify(sortKeysDeep(v), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
