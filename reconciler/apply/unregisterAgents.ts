import { deleteAgent } from '../azdo/agents.ts';
import type { AgentToUnregister } from '../plan/changes.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';

/**
 * Runs only after the commit removing the agents' pods is pushed (or when no manifest was
 * left to remove), so a crash in between leaves a manifest-less agent the next pass finds
 * and unregisters, never a pod whose agent is gone. `signal` (leadership) is checked before
 * each delete: once aborted, it throws its reason.
 */
export async function unregisterAgents(
  azdo: AzdoSession,
  agents: readonly AgentToUnregister[],
  manifestNames: ReadonlySet<string>,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ unregistered: string[]; failures: { agent: string; error: string }[] }> {
  const unregistered: string[] = [];
  const failures: { agent: string; error: string }[] = [];
  for (const a of agents) {
    if (manifestNames.has(a.name)) continue;
    signal?.throwIfAborted();
    try {
      await deleteAgent(azdo.api, await azdo.pools.idOf(a.poolName), a.agentId);
      unregistered.push(a.name);
      log.info('unregistered agent', { agent: a.name, pool: a.poolName, reason: a.reason });
    } catch (err) {
      failures.push({ agent: a.name, error: (err as Error).message });
    }
  }
  return { unregistered, failures };
}
