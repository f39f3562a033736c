import { disableAgent, readAgent } from '../azdo/agents.ts';
import type { ManifestToRemove } from '../plan/changes.ts';
import type { DrainOutcome } from '../plan/drainOutcome.ts';
import type { PoolAgent } from '../plan/observed.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';

export interface DrainResult extends DrainOutcome {
  readonly failures: readonly { readonly agent: string; readonly error: string }[];
}

/**
 * The one Azure DevOps write that comes before the commit: a live agent leaving (scale-down,
 * rotation, spec removed, pod seen deleted) is disabled so the service stops assigning it work,
 * then re-read. Only if it reads disabled and still idle (or is gone) may its manifest be removed;
 * deleting an agent the service is assigning a job to fails that job ("We stopped hearing from agent").
 *
 * `signal` (leadership) is checked before each disable: once aborted, it throws its reason.
 */
export async function drainIdleAgents(
  azdo: AzdoSession,
  removals: readonly ManifestToRemove[],
  agents: readonly PoolAgent[],
  log: Logger,
  signal?: AbortSignal,
): Promise<DrainResult> {
  const confirmedIdle = new Set<string>();
  const tookAJob: { agent: string; requestId: number }[] = [];
  const failures: { agent: string; error: string }[] = [];
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (const r of removals) {
    if (r.agentId === undefined) continue;
    // The plan sets agentId only for an agent proven ours (plan/agentOwnership.ts) and named
    // like the pod it removes; anything else is not this removal's agent and is left alone.
    const agent = byId.get(r.agentId);
    if (!agent || agent.name.toLowerCase() !== r.podName.toLowerCase()) continue;
    signal?.throwIfAborted();
    try {
      const poolId = await azdo.pools.idOf(agent.poolName);
      if (agent.enabled) await disableAgent(azdo.api, poolId, agent.id);
      // An unreadable re-read throws: its removal is not confirmed this pass.
      const now = await readAgent(azdo.api, poolId, agent.poolName, agent.id);
      if (now === undefined) {
        // Gone from a readable list of its pool: nothing can be assigned to it any more.
        confirmedIdle.add(agent.name);
      } else if (now.assignedRequestId !== undefined) {
        tookAJob.push({ agent: agent.name, requestId: now.assignedRequestId });
        log.info('agent took a job while being drained; it finishes first', { agent: agent.name, request: now.assignedRequestId });
      } else if (now.lastCompletedRequestId !== undefined && now.lastCompletedRequestId !== agent.lastCompletedRequestId) {
        // Listed idle, it took a job and finished it before this re-read (the agent list and the
        // job listing are read side by side). Its `--once` pod exits by itself: the pass that sees
        // it finished removes it as such, and counts the job it ran (plan/podFailureBackoff.ts).
        tookAJob.push({ agent: agent.name, requestId: now.lastCompletedRequestId });
        log.info('agent ran a job since it was listed; its pod exits by itself', { agent: agent.name, request: now.lastCompletedRequestId });
      } else if (now.enabled) {
        // The disable answered 2xx but did not take (or someone enabled it again): the service
        // may still assign it a job, so its pod stays.
        failures.push({ agent: agent.name, error: `disable agent ${agent.id}: it still reads enabled after disabling; its removal waits for a pass that reads it disabled` });
      } else {
        confirmedIdle.add(agent.name);
      }
    } catch (err) {
      failures.push({ agent: agent.name, error: (err as Error).message });
    }
  }
  return { confirmedIdle, tookAJob, failures };
}
