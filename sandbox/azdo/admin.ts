// The admin API (`/_admin/...`, no auth): the test/demo side of the world — create pools,
// queue and cancel jobs, inspect state and stats, inject faults, configure throttling.
import type { IncomingMessage } from 'node:http';
import type { Emulator } from './context.ts';
import { badArgument, ServiceError } from './errors.ts';
import type { Faults } from './faults.ts';
import { validateFaultConfig } from './faults.ts';
import { readJson, readObject } from './http.ts';
import { parseResult } from './scheduler.ts';
import { jobState } from './state.ts';
import type { Stats } from './stats.ts';
import type { Throttle } from './throttle.ts';
import { validateThrottleConfig } from './throttle.ts';

export interface AdminDeps {
  emu: Emulator;
  faults: Faults;
  throttle: Throttle;
  stats: Stats;
}

export interface AdminResult {
  status: number;
  body?: unknown;
}

const notFound = (path: string): ServiceError =>
  new ServiceError(404, 'AdminRouteNotFoundException', `No admin route ${path}. See docs/DESIGN.md "Azure DevOps emulator".`, 'Sandbox');

function stringArray(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badArgument(`${field} must be an array of strings.`);
  return value as string[];
}

function state(deps: AdminDeps): Record<string, unknown> {
  const { emu } = deps;
  const poolName = (id: number): string | undefined => emu.state.pools.get(id)?.name;
  return {
    pools: [...emu.state.pools.values()].map((p) => emu.wire.pool(p)),
    agents: [...emu.state.agents.values()].map((a) => ({
      ...emu.wire.agent(a, { capabilities: true }),
      poolId: a.poolId,
      poolName: poolName(a.poolId),
      assignedRequestId: a.assignedRequestId,
      sessionId: emu.state.sessionOfAgent(a.id)?.sessionId,
    })),
    jobs: [...emu.state.jobs.values()].map((j) => ({
      ...emu.wire.job(j, { matchedAgents: true, liveMatched: () => emu.scheduler.liveMatchedIds(j) }),
      state: jobState(j),
      poolName: poolName(j.poolId),
      durationMs: j.durationMs,
    })),
    sessions: [...emu.state.sessions.values()].map((s) => ({
      sessionId: s.sessionId, poolId: s.poolId, agentId: s.agentId, ownerName: s.ownerName,
      waiting: s.waiters.size > 0,
    })),
    faults: deps.faults.current() ?? null,
    throttle: deps.throttle.current(),
    stats: deps.stats.snapshot(),
  };
}

async function queueJob(deps: AdminDeps, req: IncomingMessage): Promise<AdminResult> {
  const { emu } = deps;
  const body = await readObject(req, '{pool, demands?, durationMs?, result?, name?}');
  const poolName = body.pool ?? [...emu.state.pools.values()][0]?.name;
  if (typeof poolName !== 'string') throw badArgument('pool must be a pool name.');
  const pool = emu.state.poolByName(poolName);
  if (!pool) throw badArgument(`Pool '${poolName}' does not exist. Create it with POST /_admin/pools.`);
  const durationMs = body.durationMs;
  if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0)) {
    throw badArgument('durationMs must be a non-negative number.');
  }
  const result = body.result === undefined ? undefined : parseResult(body.result);
  if (body.result !== undefined && !result) throw badArgument(`result '${String(body.result)}' is not a TaskResult.`);
  for (const key of ['name', 'definitionName'] as const) {
    if (body[key] !== undefined && typeof body[key] !== 'string') throw badArgument(`${key} must be a string.`);
  }
  const job = emu.scheduler.queueJob({
    poolId: pool.id,
    demands: stringArray(body.demands, 'demands'),
    ...(durationMs !== undefined ? { durationMs: durationMs as number } : {}),
    ...(result ? { result } : {}),
    ...(body.name !== undefined ? { name: body.name as string } : {}),
    ...(body.definitionName !== undefined ? { definitionName: body.definitionName as string } : {}),
  });
  return { status: 201, body: { requestId: job.requestId } };
}

export async function handleAdmin(deps: AdminDeps, req: IncomingMessage, path: string): Promise<AdminResult> {
  const { emu } = deps;
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter((s) => s !== '').slice(1); // drop "_admin"
  const route = `${method} /${parts.join('/')}`;

  if (route === 'GET /state') return { status: 200, body: state(deps) };
  if (route === 'GET /stats') return { status: 200, body: deps.stats.snapshot() };
  if (route === 'DELETE /stats') { deps.stats.reset(); return { status: 204 }; }
  if (route === 'POST /pools') {
    const body = await readObject(req, '{name}');
    if (typeof body.name !== 'string' || body.name.trim() === '') throw badArgument('name must be a non-empty string.');
    if (emu.state.poolByName(body.name)) {
      throw new ServiceError(409, 'TaskAgentPoolExistsException', `A pool named ${body.name} already exists.`);
    }
    const poolType = body.poolType === 'deployment' ? 'deployment' : 'automation';
    return { status: 201, body: emu.wire.pool(emu.state.addPool(body.name, poolType)) };
  }
  if (route === 'POST /jobs') return queueJob(deps, req);
  if (parts[0] === 'jobs' && parts.length >= 2) {
    const id = /^\d+$/.test(parts[1] as string) ? Number(parts[1]) : NaN;
    const job = emu.state.jobs.get(id);
    if (!job) throw new ServiceError(404, 'TaskAgentJobNotFoundException', `No job request with id ${parts[1]}.`);
    const live = { matchedAgents: true, liveMatched: () => emu.scheduler.liveMatchedIds(job) };
    if (method === 'GET' && parts.length === 2) return { status: 200, body: { ...emu.wire.job(job, live), state: jobState(job) } };
    if (method === 'POST' && parts[2] === 'cancel' && parts.length === 3) {
      emu.scheduler.cancel(job);
      emu.scheduler.tick();
      return { status: 200, body: { ...emu.wire.job(job, live), state: jobState(job) } };
    }
    if (method === 'POST' && parts[2] === 'finish' && parts.length === 3) {
      const body = (await readJson(req)) as Record<string, unknown> | undefined;
      const result = parseResult(body?.result ?? 'succeeded');
      if (!result) throw badArgument('result must be a TaskResult.');
      emu.scheduler.finish(job, result);
      emu.scheduler.tick();
      return { status: 200, body: { ...emu.wire.job(job, live), state: jobState(job) } };
    }
  }
  if (method === 'DELETE' && parts[0] === 'sessions' && parts.length === 2) {
    // Simulates losing an agent (network, killed pod): its running job is abandoned.
    const session = emu.state.sessions.get((parts[1] as string).toLowerCase());
    if (!session) throw new ServiceError(404, 'TaskAgentSessionExpiredException', `No session ${parts[1]}.`);
    emu.scheduler.removeSession(session);
    emu.scheduler.tick();
    return { status: 204 };
  }
  if (method === 'POST' && parts[0] === 'sessions' && parts.length === 3 && parts[2] === 'idle') {
    // Simulates an agent that stopped polling: its last poll is backdated past the idle timeout, so
    // the scheduling pass run here expires it by the same rule as a real silence (unless a poll is
    // waiting or its job is running). Tests use it instead of sleeping past a short timeout, which
    // races the steps they need to observe first.
    const session = emu.state.sessions.get((parts[1] as string).toLowerCase());
    if (!session) throw new ServiceError(404, 'TaskAgentSessionExpiredException', `No session ${parts[1]}.`);
    emu.scheduler.silence(session);
    emu.scheduler.tick();
    return { status: 200, body: { expired: !emu.state.sessions.has(session.sessionId) } };
  }
  if (route === 'POST /faults') {
    const config = validateFaultConfig(await readJson(req));
    if (typeof config === 'string') throw badArgument(config);
    deps.faults.set(config);
    return { status: 200, body: deps.faults.current() };
  }
  if (route === 'DELETE /faults') { deps.faults.clear(); return { status: 204 }; }
  if (route === 'GET /faults') return { status: 200, body: deps.faults.current() ?? {} };
  if (route === 'POST /throttle') {
    const config = validateThrottleConfig(await readJson(req));
    if (typeof config === 'string') throw badArgument(config);
    deps.throttle.configure(config);
    return { status: 200, body: deps.throttle.current() };
  }
  if (route === 'GET /throttle') return { status: 200, body: deps.throttle.current() };
  throw notFound(route);
}
