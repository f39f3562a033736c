// Job requests: the autoscaler's list (completedRequestCount, agentId/agentIds), the paged
// `$top` form, get one, and PATCH (what an agent sends to finish or renew its job).
import type { Route } from '../context.ts';
import { badArgument } from '../errors.ts';
import { intParam, readObject } from '../http.ts';
import { parseResult } from '../scheduler.ts';
import type { Job } from '../state.ts';
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

export const jobRequestRoutes: Route[] = [
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/jobrequests',
    handler: async ({ emu, params, query }) => {
      const pool = requirePool(emu, params.poolId);
      const agents = agentFilter(query);
      let jobs = [...emu.state.jobs.values()].filter((j) => j.poolId === pool.id);
      if (agents) jobs = jobs.filter((j) => j.reservedAgentId !== undefined && agents.has(j.reservedAgentId));
      const top = intParam(query.get('$top'), '$top');
      if (top !== undefined) {
        // The paged action: newest first, no matchedAgents, at most 200, continuation header.
        if (top < 1) throw badArgument('$top must be a positive integer.');
        const after = intParam(query.get('continuationToken'), 'continuationToken');
        const page = jobs
          .filter((j) => after === undefined || j.requestId < after)
          .sort((a, b) => b.requestId - a.requestId);
        const size = Math.min(top, TOP_CAP);
        const value = page.slice(0, size);
        const headers: Record<string, string> = {};
        const last = value[value.length - 1];
        if (page.length > size && last) headers['X-MS-ContinuationToken'] = String(last.requestId);
        return { status: 200, body: list(value.map((j) => emu.wire.job(j, { matchedAgents: false }))), headers };
      }
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
