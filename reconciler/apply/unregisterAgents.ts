import { deleteAgent, listAgents } from '../azdo/agents.ts';
import type { AgentToUnregister } from '../plan/changes.ts';
import type { PoolAgent } from '../plan/observed.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';
import { runBounded } from '../support/runBounded.ts';

/**
 * Deletes (and pool re-reads) at a time, over kept-alive connections: a round of 100 completions
 * is unregistered in ~13 round trips, not 100. Each delete is one small call.
 */
const CONCURRENCY = 8;

/**
 * Runs only after the commit removing the agents' pods is pushed (or when no manifest was
 * left to remove), so a crash in between leaves a manifest-less agent the next pass finds
 * and unregisters, never a pod whose agent is gone. The agents are re-read first, one lean list
 * per pool whatever their number (no capabilities, no last completed request): the plan's agent
 * list is older than its view of the pods, so an agent listed idle may have taken a job before
 * its pod died, and one listed busy may have ended its job. One that reads a job is left for a
 * later pass. `signal` (leadership) is checked before each delete: once aborted, it throws its
 * reason (after the deletes already sent have ended). Results keep the order of `agents`.
 */
export async function unregisterAgents(
  azdo: AzdoSession,
  agents: readonly AgentToUnregister[],
  manifestNames: ReadonlySet<string>,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ unregistered: string[]; failures: { agent: string; error: string }[] }> {
  const todo = agents.filter((a) => !manifestNames.has(a.name));
  const reread = await rereadPools(azdo, [...new Set(todo.map((a) => a.poolName))]);
  const outcome: ({ ok: true } | { ok: false; error: string } | undefined)[] = todo.map(() => undefined);
  await runBounded(
    todo.map((a, i) => async () => {
      signal?.throwIfAborted();
      try {
        const pool = reread.get(a.poolName);
        // An unreadable re-read: a failure, retried by the next pass.
        if (pool instanceof Error) throw pool;
        const now = pool?.get(a.agentId);
        if (now === undefined) return; // gone from a readable list of its pool
        if (now.assignedRequestId !== undefined) {
          log.info('agent reads a job; a later pass unregisters it once it reads idle', { agent: a.name, request: now.assignedRequestId });
          return;
        }
        await deleteAgent(azdo.api, await azdo.pools.idOf(a.poolName), a.agentId);
        outcome[i] = { ok: true };
        log.info('unregistered agent', { agent: a.name, pool: a.poolName, reason: a.reason });
      } catch (err) {
        outcome[i] = { ok: false, error: (err as Error).message };
      }
    }),
    CONCURRENCY,
  );
  const unregistered: string[] = [];
  const failures: { agent: string; error: string }[] = [];
  todo.forEach((a, i) => {
    const o = outcome[i];
    if (o?.ok) unregistered.push(a.name);
    else if (o) failures.push({ agent: a.name, error: o.error });
  });
  return { unregistered, failures };
}

/** Each pool's agents by id as listed now, or the error that kept the list from being read. */
async function rereadPools(azdo: AzdoSession, pools: readonly string[]): Promise<Map<string, Map<number, PoolAgent> | Error>> {
  const out = new Map<string, Map<number, PoolAgent> | Error>();
  await runBounded(
    pools.map((pool) => async () => {
      try {
        const agents = await listAgents(azdo.api, await azdo.pools.idOf(pool), pool, { lastCompleted: false });
        out.set(pool, new Map(agents.map((a) => [a.id, a])));
      } catch (err) {
        out.set(pool, err as Error);
      }
    }),
    CONCURRENCY,
  );
  return out;
}
