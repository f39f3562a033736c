// Label selectors as the apiserver parses them (`a=b,c!=d,e in (f,g),h notin (i),j,!k`).
// A selector that does not parse is the client's mistake: it becomes 400, never a crash.
import { badRequest } from './status.ts';

type Op = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';
interface Requirement { key: string; op: Op; values: string[] }

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  const reqs = parseRequirements(selector ?? '');
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'eq': return has && v === r.values[0];
    case 'in': return has && r.values.includes(v!);
    case 'neq': return !has || v !== r.values[0];
    case 'notin': return !has || !r.values.includes(v!);
    case 'exists': return has;
    case 'notexists': return !has;
    case 'gt': return has && Number(v) > Number(r.values[0]);
    case 'lt': return has && Number(v) < Number(r.values[0]);
  }
}

/** Splits on commas that are not inside a `( … )` value set. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  return parts;
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9_./-]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/;

function parseRequirements(selector: string): Requirement[] {
  const trimmed = selector.trim();
  if (trimmed === '') return [];
  return splitTop(trimmed).map((raw) => parseOne(raw.trim(), selector));
}

function fail(raw: string, why: string): never {
  throw badRequest(`unable to parse requirement: ${why}: "${raw}"`);
}

function key(k: string, raw: string): string {
  if (!KEY.test(k)) fail(raw, `invalid label key "${k}"`);
  return k;
}

function value(v: string, raw: string): string {
  if (!VALUE.test(v)) fail(raw, `invalid label value "${v}"`);
  return v;
}

function parseOne(raw: string, _all: string): Requirement {
  if (raw === '') fail(raw, 'found \'\', expected: identifier');
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
  if (set) {
    const values = set[3]!.split(',').map((v) => value(v.trim(), raw));
    return { key: key(set[1]!, raw), op: set[2] as Op, values };
  }
  if (raw.startsWith('!')) return { key: key(raw.slice(1).trim(), raw), op: 'notexists', values: [] };
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(raw);
  if (cmp) {
    const op: Op = cmp[2] === '!=' ? 'neq' : cmp[2] === '>' ? 'gt' : cmp[2] === '<' ? 'lt' : 'eq';
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(cmp[3]!.trim())) fail(raw, 'for \'gt\', \'lt\' operators, exactly one numeric value is required');
    return { key: key(cmp[1]!, raw), op, values: [value(cmp[3]!.trim(), raw)] };
  }
  return { key: key(raw, raw), op: 'exists', values: [] };
}
