import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { PendingJob } from '../plan/observed.ts';
import { isUnclaimed, type JobLifecycle } from '../plan/pending.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';
import { expectList, JOB_REQUEST_FIELDS } from './wireShape.ts';

/**
 * The wire's lifecycle fields in the plan's terms. `result` is an enum the client turns into a
 * number where Succeeded is 0, so only undefined and null mean "no result", never falsiness.
 */
export function jobLifecycle(r: TaskAgentJobRequest): JobLifecycle {
  return {
    result: r.result === undefined || r.result === null ? undefined : String(r.result),
    finishTime: r.finishTime || undefined,
    assignTime: r.assignTime || undefined,
    receiveTime: r.receiveTime || undefined,
    // Reserved is reserved, even where the wire leaves out the agent's id.
    reservedAgentId: r.reservedAgent ? (r.reservedAgent.id ?? 0) : undefined,
  };
}

/** Whether the request still needs an agent, by the plan's one rule (plan/pending.ts). */
export function needsAgent(r: TaskAgentJobRequest): boolean {
  return isUnclaimed(jobLifecycle(r));
}

/** The wire sends demands as strings although the TS type says Demand[]; accept both. */
export function demandStrings(r: TaskAgentJobRequest): string[] {
  const raw = (r.demands ?? []) as unknown[];
  return raw
    .map((d) => {
      if (typeof d === 'string') return d;
      if (d && typeof d === 'object' && 'name' in d) {
        const { name, value } = d as { name?: string; value?: string };
        return value ? `${name} -equals ${value}` : String(name ?? '');
      }
      return '';
    })
    .filter((d) => d !== '');
}

export function toPendingJob(r: TaskAgentJobRequest, poolName: string): PendingJob {
  return {
    requestId: r.requestId ?? 0,
    poolName,
    demands: demandStrings(r),
    queueTime: r.queueTime instanceof Date ? r.queueTime : new Date(r.queueTime ?? 0),
    jobName: r.jobName ?? undefined,
    definitionName: r.definition?.name ?? undefined,
  };
}

/**
 * One call per pool per pass, whatever the number of agents: unfinished requests only
 * (`completedRequestCount=0`) and no `$top` (that form drops matchedAgents and caps at 200).
 */
export async function listPendingJobs(api: TaskAgentApi, poolId: number, poolName: string): Promise<PendingJob[]> {
  const operation = `list job requests of pool "${poolName}"`;
  const requests = await callAzdo(operation, () => api.getAgentRequestsForAgents(poolId, undefined, 0));
  // null (unparseable 2xx, or a 404 for a pool we just resolved) and `{}` are not "no jobs".
  return expectList<TaskAgentJobRequest>(operation, requests, JOB_REQUEST_FIELDS)
    .filter(needsAgent)
    .map((r) => toPendingJob(r, poolName));
}
