import { TypeInfo, type TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { AzdoUnreadableResponseError } from '../errors/azdoErrors.ts';
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

/** The paged form's page size: the service caps `$top` at 200. */
export const JOB_REQUEST_PAGE_SIZE = 200;
/**
 * Pages read per pool per pass before giving up on the pass (20,000 requests, finished ones
 * included): a listing that long is more likely a token loop than a real queue, and a partial
 * list is never taken for the whole.
 */
export const MAX_JOB_REQUEST_PAGES = 100;
const JOB_REQUESTS_LOCATION = 'fc825784-c92a-4299-9221-998a02d1b54f';
const CONTINUATION_HEADER = 'x-ms-continuationtoken';

export interface JobRequestPage {
  /** The body as the client read it (null when it could not), to be checked with expectList. */
  readonly requests: unknown;
  readonly continuationToken: string | undefined;
}

export type ReadJobRequestPage = (api: TaskAgentApi, poolId: number, continuationToken: string | undefined) => Promise<JobRequestPage>;

/**
 * One page of the `$top` listing (newest first, finished requests included, no matchedAgents).
 * Through the client's REST layer: its typed method drops the X-MS-ContinuationToken header.
 */
export const readJobRequestPage: ReadJobRequestPage = async (api, poolId, continuationToken) => {
  const query: Record<string, string | number> = { $top: JOB_REQUEST_PAGE_SIZE };
  if (continuationToken !== undefined) query.continuationToken = continuationToken;
  const ver = await api.vsoClient.getVersioningData('7.2-preview.1', 'distributedtask', JOB_REQUESTS_LOCATION, { poolId }, query);
  const res = await api.rest.get<unknown>(ver.requestUrl!, api.createRequestOptions('application/json', ver.apiVersion));
  const headers = (res.headers ?? {}) as Record<string, string | string[] | undefined>;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === CONTINUATION_HEADER)?.[1];
  const token = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return {
    requests: api.formatResponse(res.result, TypeInfo.TaskAgentJobRequest, true),
    continuationToken: token === undefined || token === '' ? undefined : token,
  };
};

/**
 * The pool's requests that need an agent. The unpaged form (`completedRequestCount=0`) would
 * send every unfinished request with `matchedAgents`, one ~350-byte reference per eligible agent:
 * hundreds of MiB for a large pool, all held at once to parse. The `$top` form sends no
 * `matchedAgents` and pages at 200, so memory is one page at a time and bytes are ~0.7 KiB per
 * request; it lists finished requests too (filtered here) and is read to its last page, so an
 * unfinished request older than any number of finished ones is still seen.
 */
export async function listPendingJobs(
  api: TaskAgentApi,
  poolId: number,
  poolName: string,
  readPage: ReadJobRequestPage = readJobRequestPage,
): Promise<PendingJob[]> {
  const operation = `list job requests of pool "${poolName}"`;
  const out = new Map<number, PendingJob>();
  const tokens = new Set<string>();
  let token: string | undefined;
  for (let page = 0; ; page++) {
    if (page === MAX_JOB_REQUEST_PAGES) {
      throw new AzdoUnreadableResponseError(operation, `more than ${MAX_JOB_REQUEST_PAGES} pages of ${JOB_REQUEST_PAGE_SIZE} requests`);
    }
    const got = await callAzdo(operation, () => readPage(api, poolId, token));
    // null (unparseable 2xx, or a 404 for a pool we just resolved) and `{}` are not "no jobs".
    for (const r of expectList<TaskAgentJobRequest>(operation, got.requests, JOB_REQUEST_FIELDS)) {
      // A request that moved between pages while we read is counted once.
      if (needsAgent(r)) out.set(r.requestId!, toPendingJob(r, poolName));
      else out.delete(r.requestId!);
    }
    if (got.continuationToken === undefined) break;
    // A token handed out twice would loop forever: the listing cannot be read to its end.
    if (tokens.has(got.continuationToken)) throw new AzdoUnreadableResponseError(operation, `continuation token ${JSON.stringify(got.continuationToken)} repeated`);
    tokens.add(got.continuationToken);
    token = got.continuationToken;
  }
  return [...out.values()];
}
