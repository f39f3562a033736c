import { disableAgent, readAgent } from '../azdo/agents.ts';
import type { ManifestToRemove } from '../plan/changes.ts';
import type { PoolAgent } from '../plan/observed.ts';
import type { AzdoSession } from '../observe/azdoSnapshot.ts';
import type { Logger } from '../loop/logger.ts';

export interface DrainResult {
  /** Agents disabled and re-read idle: their manifests may go in this pass's commit. */
  readonly confirmedIdle: ReadonlySet<string>;
  /** Agents that took a job between observation and disabling: they finish it first. */
  readonly tookAJob: readonly { readonly agent: string; readonly requestId: number }[];
  readonly failures: readonly { readonly agent: string; readonly error: string }[];
}

/**
 * The one Azure DevOps write that comes before the commit: an idle agent leaving (scale-down,
 * rotation) is disabled so the service stops assigning it work, then re-read. Only if it is
 * still idle may its manifest be removed; deleting an agent the service is assigning a job to
 * fails that job ("We stopped hearing from agent").
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
    const agent = byId.get(r.agentId);
    if (!agent) continue;
    signal?.throwIfAborted();
    try {
      const poolId = await azdo.pools.idOf(agent.poolName);
      if (agent.enabled) await disableAgent(azdo.api, poolId, agent.id);
      const now = await readAgent(azdo.api, poolId, agent.poolName, agent.id);
      if (now?.assignedRequestId !== undefined) {
        tookAJob.push({ agent: agent.name, requestId: now.assignedRequestId });
        log.info('agent took a job while being drained; it finishes first', { agent: agent.name, request: now.assignedRequestId });
      } else {
        confirmedIdle.add(agent.name);
      }
    } catch (err) {
      failures.push({ agent: agent.name, error: (err as Error).message });
    }
  }
  return { confirmedIdle, tookAJob, failures };
}
