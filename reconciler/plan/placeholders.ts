// One offline placeholder agent per spec (`<prefix>-placeholder`), registered with the spec's
// capabilities, so the service accepts jobs while the spec is scaled to zero.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { isPlaceholderNamed, placeholderName } from './podNames.ts';
import type { AgentToUnregister, PlaceholderToRegister } from './changes.ts';
import type { PoolAgent } from './observed.ts';
import { PLACEHOLDER_CAPABILITY, placeholderCapabilities, sameCapabilities } from '../agentspec/placeholderCapabilities.ts';

export { placeholderCapabilities };

/** Ours only by the capability: an agent a person named `<prefix>-placeholder` is foreign. */
export function isPlaceholderAgent(agent: PoolAgent): boolean {
  return agent.userCapabilities[PLACEHOLDER_CAPABILITY] !== undefined;
}

export interface PlaceholderPlan {
  readonly register: PlaceholderToRegister[];
  readonly unregister: AgentToUnregister[];
}

export function planPlaceholders(specs: readonly AgentSpec[], agents: readonly PoolAgent[]): PlaceholderPlan {
  const register: PlaceholderToRegister[] = [];
  const unregister: AgentToUnregister[] = [];
  const current = new Set<PoolAgent>();
  // The lowest-id agent per (pool, name) of those named like a placeholder: one pass over the
  // agents, not one per spec.
  const byPoolName = new Map<string, PoolAgent>();
  for (const a of agents) {
    if (!isPlaceholderNamed(a.name)) continue;
    const key = `${a.poolName.toLowerCase()}\u0000${a.name.toLowerCase()}`;
    const seen = byPoolName.get(key);
    if (seen === undefined || a.id < seen.id) byPoolName.set(key, a);
  }
  for (const spec of [...specs].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = placeholderName(spec.prefix);
    const capabilities = placeholderCapabilities(spec);
    const existing = byPoolName.get(`${spec.pool.toLowerCase()}\u0000${name}`);
    // The name is taken by an agent that is not a placeholder (a person's): it is left alone and
    // reported as foreign; registering ours would only fail (the pool holds one agent per name).
    if (existing && !isPlaceholderAgent(existing)) continue;
    if (existing && (sameCapabilities(existing.userCapabilities, capabilities) || existing.assignedRequestId !== undefined)) {
      current.add(existing);
      continue;
    }
    if (existing) {
      // Capabilities changed with the spec: re-register (apply unregisters before registering).
      current.add(existing);
      unregister.push({ agentId: existing.id, name: existing.name, poolName: existing.poolName, reason: 'placeholder-obsolete' });
    }
    register.push({ name, poolName: spec.pool, specName: spec.name, capabilities });
  }
  for (const a of agents) {
    if (current.has(a) || a.assignedRequestId !== undefined) continue;
    if (!isPlaceholderAgent(a)) continue;
    unregister.push({ agentId: a.id, name: a.name, poolName: a.poolName, reason: 'placeholder-obsolete' });
  }
  return { register, unregister };
}
