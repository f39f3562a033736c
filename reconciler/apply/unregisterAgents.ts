import { deleteAgent, readAgent } from '../azdo/agents.ts';
import type { AgentToUnregister } from '../plan/changes.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';
import { runBounded } from '../support/runBounded.ts';

/** Deletes at a time: a round of completions is unregistered in one round trip or two, not one per agent. */
const CONCURRENCY = 4;

/**
 * Runs only after the commit removing the agents' pods is pushed (or when no manifest was
 * left to remove), so a crash in between leaves a manifest-less agent the next pass finds
 * and unregisters, never a pod whose agent is gone. An agent the plan saw listed busy
 * (`confirmIdle`) is re-read first and left for the next pass unless it reads idle.
 * `signal` (leadership) is checked before each delete: once aborted, it throws its reason (after the deletes already sent have ended).
 * Results keep the order of `agents`.
 */
export async function unregisterAgents(
  azdo: AzdoSession,
  agents: readonly AgentToUnregister[],
  manifestNames: ReadonlySet<string>,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ unregistered: string[]; failures: { agent: string; error: string }[] }> {
  const todo = agents.filter((a) => !manifestNames.has(a.name));
  const outcome: ({ ok: true } | { ok: false; error: string } | undefined)[] = todo.map(() => undefined);
  await runBounded(
    todo.map((a, i) => async () => {
      signal?.throwIfAborted();
      try {
        const poolId = await azdo.pools.idOf(a.poolName);
        if (a.confirmIdle) {
          // An unreadable re-read throws: a failure, retried by the next pass.
          const now = await readAgent(azdo.api, poolId, a.poolName, a.agentId);
          if (now === undefined) return; // gone already
          if (now.assignedRequestId !== undefined) {
            log.info('agent of an exited pod still reads a job; the next pass unregisters it once it reads idle', { agent: a.name, request: now.assignedRequestId });
            return;
          }
          signal?.throwIfAborted();
        }
        await deleteAgent(azdo.api, poolId, a.agentId);
        outcome[i] = { ok: true };
        log.info('unregistered agent', { agent: a.name, pool: a.poolName, reason: a.reason });
      } catch (err) {
        if (signal?.aborted && err === signal.reason) throw err;
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
