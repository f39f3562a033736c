// Job requests: the autoscaler's list (completedRequestCount, agentId/agentIds), the paged
// `$top` form, get one, and PATCH (what an agent sends to finish or renew its job).
import type { Route } from '../context.ts';
import { badArgument } from '../errors.ts';
import { intParam, readObject } from '../http.ts';
import { parseResult } from '../scheduler.ts';
import type { EmulatorState, Job } from '../state.ts';
import { list } from '../wire.ts';
import { requireJob, requirePool } from './lookup.ts';

const TOP_CAP = 200;
const DEFAULT_COMPLETED = 50;

function agentFilter(query: URLSearchParams): Set<number> | undefined {
  const ids: number[] = [];
  const single = intParam(query.get('agentId'), 'agentId');
  if (single !== undefined) ids.push(single);
  const many = query.get('agentIds');
  if (many) for (const part of many.split(',')) {
    const id = intParam(part.trim(), 'agentIds');
    if (id !== undefined) ids.push(id);
  }
  return ids.length > 0 ? new Set(ids) : undefined;
}

/**
 * A pool's job requests by ascending id, rebuilt only when a request was added: a page of the
 * `$top` listing copied, filtered and sorted every request of every pool (30,000 at 10,000
 * agents, ~150 pages a pass). Requests are only ever added, with growing ids, in id order.
 */
const byPool = new WeakMap<EmulatorState, { readonly count: number; readonly pools: Map<number, Job[]> }>();

function poolJobs(state: EmulatorState, poolId: number): readonly Job[] {
  let index = byPool.get(state);
  if (index === undefined || index.count !== state.jobs.size) {
    const pools = new Map<number, Job[]>();
    for (const j of state.jobs.values()) (pools.get(j.poolId) ?? pools.set(j.poolId, []).get(j.poolId)!).push(j);
    for (const jobs of pools.values()) if (!ascending(jobs)) jobs.sort((a, b) => a.requestId - b.requestId);
    index = { count: state.jobs.size, pools };
    byPool.set(state, index);
  }
  return index.pools.get(poolId) ?? [];
}

const ascending = (jobs: readonly Job[]): boolean => jobs.every((j, i) => i === 0 || jobs[i - 1]!.requestId < j.requestId);

/** The index of the first request whose id is at least `id` (jobs ascending). */
function firstAtLeast(jobs: readonly Job[], id: number): number {
  let lo = 0;
  let hi = jobs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (jobs[mid]!.requestId < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const jobRequestRoutes: Route[] = [
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/jobrequests',
    handler: async ({ emu, params, query }) => {
      const pool = requirePool(emu, params.poolId);
      const agents = agentFilter(query);
      const top = intParam(query.get('$top'), '$top');
      if (top !== undefined) {
        // The paged action: newest first, no matchedAgents, at most 200, continuation header.
        if (top < 1) throw badArgument('$top must be a positive integer.');
        const after = intParam(query.get('continuationToken'), 'continuationToken');
        let older = poolJobs(emu.state, pool.id);
        if (agents) older = older.filter((j) => j.reservedAgentId !== undefined && agents.has(j.reservedAgentId));
        // Ascending ids: the requests older than the token are a prefix, found by bisection.
        let end = older.length;
        if (after !== undefined) end = firstAtLeast(older, after);
        const size = Math.min(top, TOP_CAP);
        const value = older.slice(Math.max(0, end - size), end).reverse();
        const headers: Record<string, string> = {};
        const last = value[value.length - 1];
        if (end > size && last) headers['X-MS-ContinuationToken'] = String(last.requestId);
        return { status: 200, body: list(value.map((j) => emu.wire.job(j, { matchedAgents: false }))), headers };
      }
      let jobs = poolJobs(emu.state, pool.id);
      if (agents) jobs = jobs.filter((j) => j.reservedAgentId !== undefined && agents.has(j.reservedAgentId));
      const completed = intParam(query.get('completedRequestCount'), 'completedRequestCount') ?? DEFAULT_COMPLETED;
      if (completed < 0) throw badArgument('completedRequestCount must not be negative.');
      const unfinished = jobs.filter((j) => j.finishTime === undefined);
      const finished = jobs
        .filter((j) => j.finishTime !== undefined)
        .sort((a, b) => (b.finishTime ?? 0) - (a.finishTime ?? 0) || b.requestId - a.requestId)
        .slice(0, completed);
      const value = [...unfinished, ...finished].sort((a, b) => a.requestId - b.requestId);
      return { status: 200, json: await emu.listing.body(value) };
    },
  },
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/jobrequests/{requestId}',
    handler: ({ emu, params }) => {
      const pool = requirePool(emu, params.poolId);
      const job = requireJob(emu, pool, params.requestId);
      return { status: 200, body: emu.wire.job(job, { matchedAgents: true, liveMatched: () => emu.scheduler.liveMatchedIds(job) }) };
    },
  },
  {
    method: 'PATCH', pattern: 'distributedtask/pools/{poolId}/jobrequests/{requestId}',
    handler: async ({ emu, params, req }) => {
      const pool = requirePool(emu, params.poolId);
      const job: Job = requireJob(emu, pool, params.requestId);
      const body = await readObject(req, 'a TaskAgentJobRequest');
      const hasResult = body.result !== undefined && body.result !== null;
      const result = hasResult ? parseResult(body.result) : undefined;
      if (hasResult && !result) throw badArgument(`result '${String(body.result)}' is not a TaskResult.`);
      if (body.finishTime !== undefined && body.finishTime !== null && Number.isNaN(Date.parse(String(body.finishTime)))) {
        throw badArgument('finishTime must be an ISO-8601 date.');
      }
      if (job.finishTime === undefined) {
        if (result || (body.finishTime !== undefined && body.finishTime !== null)) {
          emu.scheduler.finish(job, result ?? 'succeeded');
          emu.scheduler.tick();
        } else if (body.lockedUntil !== undefined && job.receiveTime !== undefined) {
          job.lockedUntil = Date.now() + 5 * 60_000; // lock renewal
        }
      }
      return { status: 200, body: emu.wire.job(job, { matchedAgents: true, liveMatched: () => emu.scheduler.liveMatchedIds(job) }) };
    },
  },
];
