// What a spec's placeholder agent is registered with: the spec's capabilities, plus the user
// capability naming the spec. Planning registers and replaces placeholders by it; settling a
// spec conflict reads it back (a spec scaled to zero still owns its placeholder).
import type { AgentSpec } from './agentSpec.ts';

/** userCapability naming the spec a placeholder agent stands in for. */
export const PLACEHOLDER_CAPABILITY = 'azdo-gitops.placeholder';

export function placeholderCapabilities(spec: AgentSpec): Record<string, string> {
  const caps: Record<string, string> = {};
  for (const c of spec.capabilities) caps[c.name] = c.value ?? 'true';
  caps[PLACEHOLDER_CAPABILITY] = spec.name;
  return caps;
}

export function sameCapabilities(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
