// Deterministic YAML: keys sorted (apiVersion, kind, metadata, name, namespace first), no line folding.
import { stringify } from 'yaml';
import { compareStrings, sortKeysDeep } from '../support/compare.ts';

const FIRST = ['apiVersion', 'kind', 'metadata', 'name', 'namespace'];

function rank(k: string): number {
  const i = FIRST.indexOf(k);
  return i < 0 ? FIRST.length : i;
}

/** apiVersion, kind, metadata, name, namespace first (as kubectl shows them), then code-unit order. */
function compareKeys(a: string, b: string): number {
  return rank(a) - rank(b) || compareStrings(a, b);
}

export function stableYaml(v: unknown): string {
  return stringify(sortKeysDeep(v, compareKeys), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
