// Capabilities a spec's agents offer: `docker` (bare) or `java=17` (name=value).
import { compareStrings } from '../support/compare.ts';
import type { Capability } from './agentSpec.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Env vars the rendered pod sets itself; a capability may not reuse them. */
export const RESERVED_ENV = ['AZP_URL', 'AZP_POOL', 'AZP_AGENT_NAME', 'AZP_TOKEN', 'AZP_TOKEN_FILE', 'AZP_WORK', 'AZDO_GITOPS_SPEC', 'VSO_AGENT_IGNORE'];

export type CapabilityParse = { ok: true; capability: Capability } | { ok: false; problem: string };

export function parseCapability(raw: unknown): CapabilityParse {
  if (typeof raw !== 'string') return { ok: false, problem: `must be a string like "docker" or "java=17", got ${show(raw)}` };
  const s = raw.trim();
  const eq = s.indexOf('=');
  const name = (eq < 0 ? s : s.slice(0, eq)).trim();
  const value = eq < 0 ? undefined : s.slice(eq + 1).trim();
  if (!NAME.test(name)) {
    return { ok: false, problem: `capability name must start with a letter or '_' and contain only letters, digits, '_', '.', '-', got ${show(raw)}` };
  }
  if (RESERVED_ENV.some((r) => r.toLowerCase() === name.toLowerCase())) {
    return { ok: false, problem: `capability name ${name} is reserved for the agent's own environment` };
  }
  if (value !== undefined && value === '') return { ok: false, problem: `capability ${name}= has an empty value; write "${name}" for a bare capability` };
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
