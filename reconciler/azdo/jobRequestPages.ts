// The paged `$top` listing of a pool's job requests, read newest first down to a floor
// (jobListingFloor.ts says why that read is complete). Pages carry no `matchedAgents`, at most
// 200 requests each, finished ones included; the next page is asked for with the previous page's
// X-MS-ContinuationToken, which the typed client drops, so pages go through its REST layer.
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { AzdoRequestError } from '../errors/azdoErrors.ts';
import type { PendingJob } from '../plan/observed.ts';
import { isFinished } from '../plan/pending.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';
import { floorAfterRead } from './jobListingFloor.ts';
import { jobLifecycle, needsAgent, toPendingJob } from './jobRequests.ts';
import { expectList, JOB_REQUEST_FIELDS } from './wireShape.ts';

/** The service caps `$top` at 200. */
export const JOB_REQUEST_PAGE_SIZE = 200;
const JOB_REQUESTS_LOCATION = 'fc825784-c92a-4299-9221-998a02d1b54f';
const JOB_REQUESTS_API_VERSION = '7.2-preview.1';
const CONTINUATION_HEADER = 'x-ms-continuationtoken';

export interface JobRequestPage {
  /** The body as the client read it (null when it could not), checked with expectList. */
  readonly requests: unknown;
  readonly continuationToken: string | undefined;
}

export type ReadJobRequestPage = (api: TaskAgentApi, poolId: number, continuationToken: string | undefined) => Promise<JobRequestPage>;

/** One page, through the client's REST layer (its auth, user agent, proxy and TLS settings). */
export const readJobRequestPage: ReadJobRequestPage = async (api, poolId, continuationToken) => {
  const query: Record<string, string | number> = { $top: JOB_REQUEST_PAGE_SIZE };
  if (continuationToken !== undefined) query.continuationToken = continuationToken;
  const ver = await api.vsoClient.getVersioningData(JOB_REQUESTS_API_VERSION, 'distributedtask', JOB_REQUESTS_LOCATION, { poolId }, query);
  const res = await api.rest.get<unknown>(ver.requestUrl!, api.createRequestOptions('application/json', ver.apiVersion));
  const headers = (res.headers ?? {}) as Record<string, string | string[] | undefined>;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === CONTINUATION_HEADER)?.[1];
  const token = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return {
    // `{count, value}` unwrapped as the typed client's formatResponse does; the fields stay as the
    // wire has them (toPendingJob revives the one date it keeps): reviving every date and enum of
    // 200 requests a page was up to ~4% of the reconciler's CPU at 10,000 agents.
    requests: unwrapCollection(res.result),
    continuationToken: token === undefined || token === '' ? undefined : token,
  };
};

/** `{count, value: [...]}` → the list; anything else as it came (expectList says what is wrong with it). */
function unwrapCollection(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'value' in body && Array.isArray(body.value)) return body.value;
  return body;
}

export type PagedRead =
  /** The requests at or above the floor that need an agent, and the floor all those read give. */
  | { readonly kind: 'complete'; readonly jobs: PendingJob[]; readonly floor: number; readonly pages: number }
  /** The floor was not reached, or the pages did not read as the floor needs: read the unfinished-only listing. */
  | { readonly kind: 'gave-up'; readonly reason: string; readonly pages: number };

/**
 * Reads pages until one reaches below `floor` or the last page, at most `maxPages`. Throttling,
 * outages and unreadable pages throw as every read does (the pass retries); pages that are not
 * newest first, a token handed out twice, or a page refused as a bad request give up (the
 * unfinished-only listing is read instead).
 */
export async function readRequestsDownTo(
  api: TaskAgentApi,
  poolId: number,
  poolName: string,
  floor: number,
  maxPages: number,
  readPage: ReadJobRequestPage = readJobRequestPage,
): Promise<PagedRead> {
  const operation = `list job requests of pool "${poolName}" (paged)`;
  // What the floor needs of every request read, and the few that need an agent: a page's
  // requests are dropped once read (thousands of them, most finished or running).
  const read: { requestId: number; finished: boolean }[] = [];
  const jobs = new Map<number, PendingJob>();
  const tokens = new Set<string>();
  let token: string | undefined;
  let previousId = Number.POSITIVE_INFINITY;
  for (let pages = 1; pages <= maxPages; pages++) {
    let got: JobRequestPage;
    try {
      got = await callAzdo(operation, () => readPage(api, poolId, token));
    } catch (err) {
      // Refused as a request (400, 409, …: a server or proxy without this form), not a passing fault.
      if (err instanceof AzdoRequestError) return { kind: 'gave-up', reason: err.message, pages };
      throw err;
    }
    let reachedFloor = false;
    for (const r of expectList<TaskAgentJobRequest>(operation, got.requests, JOB_REQUEST_FIELDS)) {
      const id = r.requestId!;
      if (id >= previousId) return { kind: 'gave-up', reason: `request ${id} listed after ${previousId}: not newest first`, pages };
      previousId = id;
      if (id < floor) reachedFloor = true;
      else {
        read.push({ requestId: id, finished: isFinished(jobLifecycle(r)) });
        if (needsAgent(r)) jobs.set(id, toPendingJob(r, poolName));
      }
    }
    if (reachedFloor || got.continuationToken === undefined) {
      return { kind: 'complete', jobs: [...jobs.values()], floor: floorAfterRead(floor, read), pages };
    }
    if (tokens.has(got.continuationToken)) return { kind: 'gave-up', reason: `continuation token ${JSON.stringify(got.continuationToken)} repeated`, pages };
    tokens.add(got.continuationToken);
    token = got.continuationToken;
  }
  return { kind: 'gave-up', reason: `request ${floor} not reached within ${maxPages} pages`, pages: maxPages };
}
