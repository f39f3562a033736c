// Capabilities a spec's agents offer: `docker` (bare) or `java=17` (name=value).
// Which strings are capabilities is the schema's (agentSpecSchema.ts, the CRD checks the same);
// this file says which part is wrong.
import { compareStrings } from '../support/compare.ts';
import type { Capability } from './agentSpec.ts';
import { CAPABILITY, RESERVED_ENV } from './agentSpecSchema.ts';
import { maxLengthOf, patternOf } from './openApiSchema.ts';

export { RESERVED_ENV };
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const WHOLE = patternOf(CAPABILITY);
const MAX = maxLengthOf(CAPABILITY);

export type CapabilityParse = { ok: true; capability: Capability } | { ok: false; problem: string };

export function parseCapability(raw: unknown): CapabilityParse {
  if (typeof raw !== 'string') return { ok: false, problem: `must be a string like "docker" or "java=17", got ${show(raw)}` };
  if (raw.length > MAX) return { ok: false, problem: `is ${raw.length} characters, over ${MAX}` };
  const eq = raw.indexOf('=');
  const name = eq < 0 ? raw : raw.slice(0, eq);
  const value = eq < 0 ? undefined : raw.slice(eq + 1);
  if (!NAME.test(name)) {
    return { ok: false, problem: `capability name must start with a letter or '_' and contain only letters, digits, '_', '.', '-', got ${show(raw)}` };
  }
  if (RESERVED_ENV.some((r) => r.toLowerCase() === name.toLowerCase())) {
    return { ok: false, problem: `capability name ${name} is reserved for the agent's own environment` };
  }
  if (value !== undefined && value === '') return { ok: false, problem: `capability ${name}= has an empty value; write "${name}" for a bare capability` };
  if (!WHOLE.test(raw)) return { ok: false, problem: `capability ${name} has spaces around its value or a line break in it, got ${show(raw)}` };
  return { ok: true, capability: { name, value } };
}

export function formatCapability(c: Capability): string {
  return c.value === undefined ? c.name : `${c.name}=${c.value}`;
}

/** Sorted by lower-cased name, then name (stable, deterministic order). */
export function sortCapabilities(caps: readonly Capability[]): Capability[] {
  return [...caps].sort((a, b) => compareStrings(a.name.toLowerCase(), b.name.toLowerCase()) || compareStrings(a.name, b.name));
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return v.length > 80 ? `${JSON.stringify(v.slice(0, 60))}... (${v.length} characters)` : JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    return String(v);
  }
}
