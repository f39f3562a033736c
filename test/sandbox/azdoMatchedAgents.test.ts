// Contract: the job listing's matchedAgents and the scheduler's assignment follow every change of
// an agent (added, removed, capabilities, version, enabled, online), although both are served from
// a cache (eligible agents per pool and demand set, each list's text serialized once). Every
// listing is compared byte for byte with the same body built from scratch: each request's
// eligible agents found by matching every agent of the pool against its demands.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { parseDemand, satisfiesAll } from '../../sandbox/azdo/demands.ts';
import type { Demand } from '../../sandbox/azdo/demands.ts';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { capabilitiesOf } from '../../sandbox/azdo/scheduler.ts';
import { list } from '../../sandbox/azdo/wire.ts';
import { basicAuth, queueJob, taskAgentApi, waitFor } from '../helpers/azdoClient.ts';

const POOL = 1;

/** The listing's body as the emulator built it before the cache: every agent matched per request. */
function fromScratch(emu: AzdoEmulator, completed: number): string {
  const { state, wire } = emu.emu;
  const jobs = [...state.jobs.values()].filter((j) => j.poolId === POOL);
  const finished = jobs.filter((j) => j.finishTime !== undefined)
    .sort((a, b) => (b.finishTime ?? 0) - (a.finishTime ?? 0) || b.requestId - a.requestId).slice(0, completed);
  const shown = [...jobs.filter((j) => j.finishTime === undefined), ...finished].sort((a, b) => a.requestId - b.requestId);
  return JSON.stringify(list(shown.map((j) => wire.job(j, {
    matchedAgents: true,
    liveMatched: () => {
      const demands = j.demands.map(parseDemand).filter((d): d is Demand => d !== undefined);
      return state.agentsInPool(j.poolId).filter((a) => satisfiesAll(capabilitiesOf(a), demands)).map((a) => a.id);
    },
  }))));
}

describe('azdo emulator: matchedAgents and assignment follow agent changes', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => { emu = await startAzdoEmulator({ agentCooldownMs: 0 }); api = await taskAgentApi(emu); });
  after(() => emu.close());

  /** The listing's raw text, checked against the body built from scratch; its requests by id. */
  async function listing(completed = 0): Promise<Map<number, TaskAgentJobRequest>> {
    const res = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools/${POOL}/jobrequests?completedRequestCount=${completed}`, {
      headers: { Authorization: basicAuth(emu.token) },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text));
    assert.equal(text, fromScratch(emu, completed));
    const body = JSON.parse(text) as { count: number; value: TaskAgentJobRequest[] };
    return new Map(body.value.map((r) => [r.requestId!, r]));
  }
  const matched = (jobs: Map<number, TaskAgentJobRequest>, id: number): string[] =>
    (jobs.get(id)?.matchedAgents ?? []).map((a) => a.name!);

  async function register(name: string, user: Record<string, string>, version = '4.250.0') {
    return api.addAgent({ name, version, enabled: true, maxParallelism: 1, systemCapabilities: { 'Agent.Name': name }, userCapabilities: user } as never, POOL);
  }

  it('lists an added agent, drops a removed one and follows capability and version changes', async () => {
    const a = await register('a', { docker: '', java: '17' });
    const b = await register('b', { docker: '' });
    const anyDocker = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'] });
    const java = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker', 'java -equals 17'] });
    let jobs = await listing();
    assert.deepEqual(matched(jobs, anyDocker), ['a', 'b']);
    assert.deepEqual(matched(jobs, java), ['a']);

    const c = await register('c', { docker: '', JAVA: '17' });
    jobs = await listing();
    assert.deepEqual(matched(jobs, java), ['a', 'c'], 'an added agent is listed');

    await api.updateAgent({ userCapabilities: { docker: '', java: '17' } } as never, POOL, b.id!);
    await api.updateAgent({ userCapabilities: { docker: '' } } as never, POOL, a.id!);
    jobs = await listing();
    assert.deepEqual(matched(jobs, java), ['b', 'c'], 'capabilities changed through PATCH');

    await api.updateAgent({ version: '1.0.0' } as never, POOL, c.id!);
    jobs = await listing();
    assert.deepEqual(matched(jobs, anyDocker), ['a', 'b'], 'below the service\'s minimum version, c matches nothing');
    assert.deepEqual(matched(jobs, java), ['b']);

    await api.deleteAgent(POOL, b.id!);
    jobs = await listing();
    assert.deepEqual(matched(jobs, anyDocker), ['a'], 'a removed agent is gone');

    // Changed in place, as the simulator re-registers an agent: the record is replaced.
    const agent = emu.emu.state.agents.get(a.id!)!;
    agent.userCapabilities = { docker: '', java: '17' };
    jobs = await listing();
    assert.deepEqual(matched(jobs, java), ['a']);
    for (const id of [anyDocker, java]) await fetch(`${emu.adminUrl}/jobs/${id}/cancel`, { method: 'POST' });
    await listing(50);
  });

  it('lists more requests than one slice of the body (500) exactly, with mixed demands', async () => {
    await register('many-a', { docker: '', java: '17' });
    await register('many-b', { docker: '' });
    const ids = emu.emu.scheduler.batch(() => Array.from({ length: 620 }, (_, i) =>
      emu.emu.scheduler.queueJob({ poolId: POOL, demands: i % 3 === 0 ? ['docker', 'java -equals 17'] : ['docker'] }).requestId));
    const jobs = await listing();
    assert.ok(ids.every((id) => jobs.has(id)));
    for (const id of ids) emu.emu.scheduler.cancel(emu.emu.state.jobs.get(id)!);
  });

  it('shows enabled and online as they change, and assigns only to an agent that now qualifies', async () => {
    const worker = await register('worker', { x: '' });
    const holder = await register('holder', { y: '' }); // offline: lets the service accept jobs demanding y
    const session = await api.createAgentSession({ agent: { id: worker.id, name: worker.name, version: worker.version }, ownerName: 'worker' } as never, POOL);
    const job = await queueJob(emu, { pool: 'k8s-agents', demands: ['y'] });
    let jobs = await listing();
    assert.deepEqual(matched(jobs, job), ['holder']);
    assert.equal(jobs.get(job)!.reservedAgent, undefined, 'the online worker lacks y');

    await api.updateAgent({ enabled: false, userCapabilities: { x: '', y: '' } } as never, POOL, worker.id!);
    jobs = await listing();
    const listed = jobs.get(job)!.matchedAgents!.find((a) => a.name === 'worker');
    assert.equal(listed?.enabled, false, 'a disabled agent is still eligible, shown disabled');
    assert.equal(String(listed?.status), 'online');
    assert.equal(jobs.get(job)!.reservedAgent, undefined, 'a disabled agent is never assigned');

    await api.updateAgent({ enabled: true } as never, POOL, worker.id!);
    const assigned = await waitFor(async () => (await listing()).get(job)?.reservedAgent?.name);
    assert.equal(assigned, 'worker');

    assert.deepEqual(matched(await listing(), job), ['worker', 'holder'], 'frozen at assignment');
    await api.deleteAgent(POOL, holder.id!);
    assert.deepEqual(matched(await listing(), job), ['worker'], 'a deleted agent drops out of a frozen list');

    // The session ends before the job was delivered: the job is queued again, its worker offline.
    await api.deleteAgentSession(POOL, session.sessionId!);
    jobs = await listing(50);
    assert.equal(jobs.get(job)!.reservedAgent, undefined);
    assert.equal(String(jobs.get(job)!.matchedAgents!.find((a) => a.name === 'worker')?.status), 'offline');
  });
});
