// The capabilities a pass needs, on top of the agent lists read without them: only for the agents
// whose ownership their name cannot settle (plan/agentOwnership.ts agentsNeedingCapabilities),
// each read once per registration (azdo/agentCapabilityCache.ts). A read that fails fails the
// pass, as an unreadable agent list does: a plan made without an agent's capabilities could
// settle a spec conflict or a placeholder on what was not read.
import { AgentCapabilityCache } from '../azdo/agentCapabilityCache.ts';
import { listAgentCapabilities, readAgentCapabilities } from '../azdo/agents.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { PoolAgent } from '../plan/observed.ts';
import { runBounded } from '../support/runBounded.ts';

/** Reads in flight at once, across pools: enough to hide latency, few enough not to be throttled. */
export const CAPABILITY_READ_CONCURRENCY = 8;
/** Above this many agents of one pool to read, one list of the pool with capabilities is read instead. */
export const LIST_CAPABILITIES_ABOVE = 50;

/**
 * The listed agents with the capabilities known of them (read now or before) filled in.
 * @param agents this pass's agent lists (lean), @param needed those whose capabilities the plan
 *   needs. Throws the first failed read (the reads already done are kept for the next pass).
 */
export async function readNeededCapabilities(session: AzdoSession, agents: readonly PoolAgent[], needed: readonly PoolAgent[]): Promise<PoolAgent[]> {
  const cache = session.agentCapabilities ?? new AgentCapabilityCache();
  cache.retain(agents);
  const byPool = new Map<string, PoolAgent[]>();
  for (const a of needed) {
    if (cache.get(a) !== undefined) continue;
    const l = byPool.get(a.poolName) ?? [];
    l.push(a);
    byPool.set(a.poolName, l);
  }
  const tasks: (() => Promise<void>)[] = [];
  for (const [poolName, toRead] of byPool) {
    const poolId = await session.pools.idOf(poolName); // resolved by the list already
    if (toRead.length > LIST_CAPABILITIES_ABOVE) {
      tasks.push(async () => {
        for (const a of await listAgentCapabilities(session.api, poolId, poolName)) cache.remember(a);
      });
    } else {
      for (const a of toRead) {
        tasks.push(async () => {
          const read = await readAgentCapabilities(session.api, poolId, poolName, a);
          if (read !== undefined) cache.remember(read);
        });
      }
    }
  }
  await runBounded(tasks, CAPABILITY_READ_CONCURRENCY);
  // An agent removed or registered again between its list and its read matches no entry: its
  // capabilities stay unread, so it is left alone this pass (plan/agentOwnership.ts 'unknown').
  return agents.map((a) => {
    if (a.capabilitiesRead !== false) return a;
    const known = cache.get(a);
    return known === undefined ? a : { ...a, specMarker: known.specMarker, userCapabilities: known.userCapabilities, capabilitiesRead: true };
  });
}
