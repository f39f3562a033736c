import type { IncomingHttpHeaders } from 'node:http';
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { extractRateLimitHeaders } from 'azure-devops-node-api/RateLimitUtils.js';
import { AzdoUnavailableError, AzdoUnreadableResponseError } from '../errors/azdoErrors.ts';
import type { PendingJob } from '../plan/observed.ts';
import { isFinished, isUnclaimed, type JobLifecycle } from '../plan/pending.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';
import { ListBodyError, scanListBody } from './jobRequestStream.ts';
import { expectListItem, JOB_REQUEST_FIELDS } from './wireShape.ts';

/**
 * The wire's lifecycle fields in the plan's terms. `result` is the wire's string, or an enum the
 * typed client turns into a number where Succeeded is 0: only undefined and null mean "no
 * result", never falsiness. The times are the wire's strings (or Dates the typed client revived).
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

const JOB_REQUESTS_LOCATION = 'fc825784-c92a-4299-9221-998a02d1b54f';
/** The version the typed client's getAgentRequestsForAgents asks for. */
const JOB_REQUESTS_API_VERSION = '7.2-preview.1';
/** An error answer is read for its message only; a larger one is cut here. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** An answer whose body is still to come (an IncomingMessage): status, headers, the body as it arrives. */
export interface JobRequestListing extends AsyncIterable<Buffer | string> {
  readonly statusCode?: number | undefined;
  readonly headers: IncomingHttpHeaders;
  /** Stops reading (and drops the connection) when the rest of the body is not wanted. */
  destroy(): void;
}

export type OpenJobRequestListing = (api: TaskAgentApi, poolId: number) => Promise<JobRequestListing>;

/**
 * `GET …/pools/{poolId}/jobrequests?completedRequestCount=0` (the typed client's
 * getAgentRequestsForAgents(poolId, undefined, 0)) through the client's own HTTP client, so its
 * auth, user agent, proxy and TLS settings apply; the body is left unread for the caller to stream.
 */
export const openJobRequestListing: OpenJobRequestListing = async (api, poolId) => {
  const ver = await api.vsoClient.getVersioningData(JOB_REQUESTS_API_VERSION, 'distributedtask', JOB_REQUESTS_LOCATION, { poolId }, { completedRequestCount: 0 });
  const accept = api.createRequestOptions('application/json', ver.apiVersion).acceptHeader ?? 'application/json';
  return (await api.rest.client.get(ver.requestUrl!, { Accept: accept })).message;
};

/** The service's error body (JSON with a message, or text), at most MAX_ERROR_BODY_BYTES of it. */
async function readErrorBody(listing: JobRequestListing): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of listing) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    parts.push(bytes);
    size += bytes.length;
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  listing.destroy();
  return Buffer.concat(parts).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/**
 * A non-2xx answer as the client's REST layer would reject it (statusCode, parsed body, the
 * rate-limit headers), so callAzdo classifies it like every other call: 429 waits Retry-After,
 * 401/403 is the token, 5xx backs off.
 */
async function statusError(listing: JobRequestListing, status: number): Promise<object> {
  const text = await readErrorBody(listing).catch(() => '');
  let result: { message?: string; typeKey?: string } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') result = parsed as typeof result;
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const err = Object.assign(new Error(result?.message ?? (text.trim().slice(0, 300) || `Failed request: (${status})`)), { statusCode: status, result });
  extractRateLimitHeaders(listing.headers, err);
  return err;
}

/** What one read of the unfinished-only listing saw. */
export type StreamedListing =
  | {
      readonly kind: 'complete';
      /** The requests that need an agent. */
      readonly jobs: PendingJob[];
      /** The oldest unfinished request listed (undefined: none). */
      readonly oldestUnfinished: number | undefined;
      /** The body's size. */
      readonly bytes: number;
      /** Requests in it (unfinished, claimed or not). */
      readonly requests: number;
    }
  /** Stopped once the body passed `maxBytes` (at `bytes`): nothing in it is used. */
  | { readonly kind: 'too-large'; readonly bytes: number };

/**
 * The pool's requests that need an agent, from the listing an autoscaler is meant to read:
 * `completedRequestCount=0`, every unfinished request and no finished one, whatever the pool's
 * history. Each request carries `matchedAgents` (~350 bytes per eligible agent: tens to hundreds
 * of MiB for a large pool), so the body is read as a stream through the client's own HTTP client
 * (its auth, user agent, proxy and TLS settings) and scanned one request at a time with
 * `matchedAgents` skipped as it passes: memory is one request, whatever the body's size. Where
 * the body is large, later passes read the paged `$top` form down to the oldest unfinished
 * request seen here instead (jobListingFloor.ts).
 */
export async function streamJobRequests(
  api: TaskAgentApi,
  poolId: number,
  poolName: string,
  open: OpenJobRequestListing = openJobRequestListing,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<StreamedListing> {
  const operation = `list job requests of pool "${poolName}"`;
  return callAzdo(operation, async () => {
    const listing = await open(api, poolId);
    const status = listing.statusCode ?? 0;
    // The pool was resolved moments ago: its 404 says nothing about its jobs (never "no jobs").
    if (status === 404) {
      listing.destroy();
      throw new AzdoUnavailableError(operation, status, 'the pool was not found although it was just resolved');
    }
    if (status < 200 || status > 299) throw await statusError(listing, status);
    const out = new Map<number, PendingJob>();
    let oldestUnfinished: number | undefined;
    let bytes = 0;
    let requests = 0;
    const scanner = scanListBody((item, index) => {
      requests++;
      // As the wire has it (toPendingJob revives the one date it keeps).
      const r = expectListItem<TaskAgentJobRequest>(operation, item, index, JOB_REQUEST_FIELDS);
      const lifecycle = jobLifecycle(r);
      if (!isFinished(lifecycle) && (oldestUnfinished === undefined || r.requestId! < oldestUnfinished)) oldestUnfinished = r.requestId!;
      if (isUnclaimed(lifecycle)) out.set(r.requestId!, toPendingJob(r, poolName));
    });
    try {
      for await (const chunk of listing) {
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        if (bytes > maxBytes) {
          listing.destroy();
          return { kind: 'too-large', bytes };
        }
        scanner.write(chunk);
      }
      scanner.end();
    } catch (err) {
      listing.destroy();
      // Not the list JSON (an HTML page, a body cut short, `{}`, count ≠ items): never "no jobs".
      if (err instanceof ListBodyError) throw new AzdoUnreadableResponseError(operation, err.message);
      throw err;
    }
    return { kind: 'complete', jobs: [...out.values()], oldestUnfinished, bytes, requests };
  });
}
