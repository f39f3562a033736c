// Contract: job requests, demands, the scheduler and the agent session/message protocol.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskResult } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, basicAuth, queueJob, taskAgentApi, waitFor } from '../helpers/azdoClient.ts';

const POOL = 1;

async function register(api: ITaskAgentApi, name: string, caps: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return api.addAgent({ name, version: '4.250.0', enabled: true, maxParallelism: 1, systemCapabilities: caps, ...extra } as never, POOL);
}

async function online(api: ITaskAgentApi, agent: { id?: number; name?: string; version?: string }) {
  const session = await api.createAgentSession({ agent: { id: agent.id, name: agent.name, version: agent.version }, ownerName: agent.name } as never, POOL);
  return session.sessionId!;
}

describe('azdo emulator: demands and queue-time rejection', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => { emu = await startAzdoEmulator(); api = await taskAgentApi(emu); });
  after(() => emu.close());

  it('rejects a job at queue time with 400 when no registered agent satisfies its demands', async () => {
    const reply = await admin(emu, 'POST', '/jobs', { pool: 'k8s-agents', demands: ['docker'] });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.$id, '1');
    assert.equal(reply.body.typeKey, 'TaskAgentDemandsNotSatisfiedException');
    assert.match(reply.body.message, /docker/);
  });

  it('accepts a job an offline agent could run, matching exists and -equals case-insensitively', async () => {
    const placeholder = await register(api, 'ph', {}, { userCapabilities: { Java: '17', Docker: '' } });
    const id = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker', 'JAVA -equals 17'] });
    const job = await api.getAgentRequest(POOL, id);
    assert.deepEqual(job.demands, ['docker', 'JAVA -equals 17', 'Agent.Version -gtVersion 2.0.0'] as never);
    assert.deepEqual(job.matchedAgents?.map((a) => a.id), [placeholder.id]);
    assert.equal(job.assignTime, undefined, 'an offline agent is never assigned');
    assert.equal((await admin(emu, 'POST', '/jobs', { pool: 'k8s-agents', demands: ['java -equals 11'] })).status, 400);
    await admin(emu, 'POST', `/jobs/${id}/cancel`);
  });

  it('requires Agent.Version: an agent registered without a version matches no job', async () => {
    const other = await admin(emu, 'POST', '/pools', { name: 'versionless' });
    await api.addAgent({ name: 'nover', systemCapabilities: { x: '1' } } as never, other.body.id);
    assert.equal((await admin(emu, 'POST', '/jobs', { pool: 'versionless', demands: ['x'] })).status, 400);
  });

  it('rejects demand syntax the service does not accept', async () => {
    const reply = await admin(emu, 'POST', '/jobs', { pool: 'k8s-agents', demands: ['java -lt 17'] });
    assert.equal(reply.status, 400);
  });
});

describe('azdo emulator: listing job requests', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator();
    api = await taskAgentApi(emu);
    await register(api, 'lister');
  });
  after(() => emu.close());

  it('returns unfinished plus up to completedRequestCount finished (default 50; 0 → unfinished only)', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 53; i++) ids.push(await queueJob(emu, { pool: 'k8s-agents' }));
    for (const id of ids.slice(0, 52)) await admin(emu, 'POST', `/jobs/${id}/cancel`);
    const all = await api.getAgentRequestsForAgents(POOL);
    assert.equal(all.length, 51);
    const unfinished = await api.getAgentRequestsForAgents(POOL, undefined, 0);
    assert.deepEqual(unfinished.map((r) => r.requestId), [ids[52]]);
    assert.ok(unfinished[0]!.matchedAgents!.length > 0);
    assert.equal((await api.getAgentRequestsForAgents(POOL, undefined, 3)).length, 4);
    assert.ok(!all.some((r) => r.requestId === ids[0]), 'the oldest finished requests fall off');
    const canceled = all.find((r) => r.requestId === ids[51]) as TaskAgentJobRequest;
    assert.equal(canceled.result, TaskResult.Canceled);
    assert.ok(canceled.finishTime instanceof Date);
    assert.equal(canceled.assignTime, undefined, 'cancelled while queued: no assignTime');
  });

  it('answers the $top form without matchedAgents, capped at 200, with X-MS-ContinuationToken', async () => {
    for (let i = 0; i < 150; i++) await queueJob(emu, { pool: 'k8s-agents' });
    const page = await api.getAgentRequests(POOL, 500);
    assert.equal(page.length, 200);
    assert.ok(page.every((r) => r.matchedAgents === undefined));
    const res = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools/1/jobrequests?$top=200`, { headers: { Authorization: basicAuth(emu.token) } });
    const token = res.headers.get('x-ms-continuationtoken');
    assert.ok(token);
    const rest = await api.getAgentRequests(POOL, 200, token);
    assert.equal(rest.length, 203 - 200);
  });

  it('filters by agentId / agentIds and returns null for an unknown request id', async () => {
    assert.deepEqual(await api.getAgentRequestsForAgent(POOL, 999), []);
    assert.deepEqual(await api.getAgentRequestsForAgents(POOL, [998, 999]), []);
    assert.equal(await api.getAgentRequest(POOL, 99_999), null);
  });
});

describe('azdo emulator: scheduling and the agent protocol', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  beforeEach(async () => {
    await emu?.close();
    emu = await startAzdoEmulator({ agentCooldownMs: 300, messageLongPollMs: 300 });
    api = await taskAgentApi(emu);
  });
  after(() => emu.close());

  it('walks a job queued → assigned → running → finished with the configured result', async () => {
    const agent = await register(api, 'worker', { docker: 'true' });
    const id = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'], durationMs: 150, result: 'failed', name: 'Build' });
    const queued = await api.getAgentRequest(POOL, id);
    assert.equal(queued.reservedAgent, undefined);
    const sessionId = await online(api, agent);
    const assigned = await waitFor(async () => { const r = await api.getAgentRequest(POOL, id); return r.assignTime ? r : undefined; });
    assert.equal(assigned.reservedAgent?.id, agent.id);
    assert.equal(assigned.receiveTime, undefined);
    const message = await api.getMessage(POOL, sessionId);
    assert.equal(message.messageType, 'PipelineAgentJobRequest');
    assert.deepEqual(JSON.parse(message.body!), { requestId: id, jobId: assigned.jobId, jobName: 'Build', planId: assigned.planId });
    const running = await api.getAgentRequest(POOL, id);
    assert.ok(running.receiveTime instanceof Date && running.lockedUntil instanceof Date);
    assert.equal(running.result, undefined);
    const done = await waitFor(async () => { const r = await api.getAgentRequest(POOL, id); return r.result !== undefined ? r : undefined; });
    assert.equal(done.result, TaskResult.Failed);
    assert.ok(done.finishTime! >= done.receiveTime!);
    await api.deleteAgentSession(POOL, sessionId);
  });

  it('reports a succeeded job as TaskResult.Succeeded === 0 (falsy), finished through PATCH by the agent', async () => {
    const agent = await register(api, 'patcher');
    const id = await queueJob(emu, { pool: 'k8s-agents', durationMs: 60_000 });
    const sessionId = await online(api, agent);
    assert.ok(await waitFor(() => api.getMessage(POOL, sessionId)));
    const updated = await api.updateAgentRequest({ result: TaskResult.Succeeded, finishTime: new Date() } as never, POOL, id, '00000000-0000-0000-0000-000000000000');
    assert.equal(updated.result, TaskResult.Succeeded);
    assert.equal(updated.result, 0);
    assert.equal((await api.getAgentRequestsForAgents(POOL, undefined, 0)).length, 0);
  });

  it('assigns FIFO only to online, enabled, idle, matching agents', async () => {
    const docker = await register(api, 'docker-agent', { docker: 'true' });
    const plain = await register(api, 'plain-agent');
    const disabled = await register(api, 'disabled-agent', { docker: 'true' }, { enabled: false });
    const first = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'], durationMs: 60_000 });
    const second = await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'], durationMs: 60_000 });
    await online(api, plain);
    await online(api, disabled);
    await online(api, docker);
    const r1 = await waitFor(async () => (await api.getAgentRequest(POOL, first)).reservedAgent);
    assert.equal(r1.id, docker.id);
    const r2 = await api.getAgentRequest(POOL, second);
    assert.equal(r2.reservedAgent, undefined, 'second job waits: the only eligible agent is busy');
    assert.deepEqual(r2.matchedAgents?.map((a) => a.id).sort(), [docker.id, disabled.id].sort());
  });

  it('makes an agent assignable again only after the cooldown', async () => {
    const agent = await register(api, 'cool');
    const sessionId = await online(api, agent);
    const first = await queueJob(emu, { pool: 'k8s-agents', durationMs: 20 });
    assert.ok(await waitFor(() => api.getMessage(POOL, sessionId)));
    const finished = await waitFor(async () => { const r = await api.getAgentRequest(POOL, first); return r.finishTime ? r : undefined; });
    const second = await queueJob(emu, { pool: 'k8s-agents', durationMs: 20 });
    const assigned = await waitFor(async () => (await api.getAgentRequest(POOL, second)).assignTime);
    assert.ok(assigned.getTime() - finished.finishTime!.getTime() >= 250, 'assigned only after the 300 ms cooldown');
  });

  it('abandons a running job when its session is deleted, and when its agent is deleted', async () => {
    const a1 = await register(api, 'lost-session');
    const s1 = await online(api, a1);
    const j1 = await queueJob(emu, { pool: 'k8s-agents', durationMs: 60_000 });
    assert.ok(await waitFor(() => api.getMessage(POOL, s1)));
    await api.deleteAgentSession(POOL, s1);
    assert.equal((await api.getAgentRequest(POOL, j1)).result, TaskResult.Abandoned);

    const a2 = await register(api, 'deleted-agent');
    const s2 = await online(api, a2);
    const j2 = await queueJob(emu, { pool: 'k8s-agents', durationMs: 60_000 });
    assert.ok(await waitFor(() => api.getMessage(POOL, s2)));
    await api.deleteAgent(POOL, a2.id!);
    const r2 = await api.getAgentRequest(POOL, j2);
    assert.equal(r2.result, TaskResult.Abandoned);
    assert.ok(r2.finishTime instanceof Date);
  });

  it('long-polls getMessage to null when idle; a second session conflicts (409); a dead session is 400', async () => {
    const agent = await register(api, 'idle');
    const sessionId = await online(api, agent);
    const started = Date.now();
    assert.equal(await api.getMessage(POOL, sessionId), null);
    assert.ok(Date.now() - started >= 250, 'the poll waited');
    await assert.rejects(online(api, agent), (err: any) => err.statusCode === 409 && err.result.typeKey === 'TaskAgentSessionConflictException');
    await api.deleteAgentSession(POOL, sessionId);
    await assert.rejects(api.getMessage(POOL, sessionId), (err: any) => err.statusCode === 400 && err.result.typeKey === 'TaskAgentSessionExpiredException');
    assert.equal((await admin(emu, 'GET', '/state')).body.sessions.length, 0);
  });

  it('wakes a waiting long-poll as soon as a job is assigned', async () => {
    const agent = await register(api, 'waker');
    const sessionId = await online(api, agent);
    const poll = api.getMessage(POOL, sessionId);
    await new Promise((r) => setTimeout(r, 50));
    const id = await queueJob(emu, { pool: 'k8s-agents', durationMs: 50 });
    const message = await poll;
    assert.equal(JSON.parse(message.body!).requestId, id);
  });
});

describe('azdo emulator: lost agents', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => { emu = await startAzdoEmulator({ sessionIdleTimeoutMs: 200, agentCooldownMs: 0 }); api = await taskAgentApi(emu); });
  after(() => emu.close());

  it('expires a session nobody polls on its own after the idle timeout (agent goes offline)', async () => {
    const silent = await register(api, 'silent');
    await online(api, silent);
    await waitFor(async () => (await api.getAgent(POOL, silent.id!)).status === 1);
    assert.equal((await admin(emu, 'GET', '/state')).body.sessions.length, 0);
  });
});

describe('azdo emulator: a lost agent\'s undelivered job', () => {
  // The default idle timeout (30 s) never passes during a test: the session goes silent only when
  // the test says so, after it has seen the reservation, whatever the machine's load.
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  // A long-poll lasts until a job wakes it, so a test can see it waiting however slow the machine is.
  before(async () => { emu = await startAzdoEmulator({ agentCooldownMs: 0, messageLongPollMs: 60_000 }); api = await taskAgentApi(emu); });
  after(() => emu.close());

  it('expires a session nobody polls (agent goes offline) and requeues its undelivered job for another agent', async () => {
    const silent = await register(api, 'silent');
    const silentSession = await online(api, silent);
    const id = await queueJob(emu, { pool: 'k8s-agents', durationMs: 50 });
    assert.equal((await api.getAgentRequest(POOL, id)).reservedAgent?.id, silent.id, 'reserved when queued');
    assert.deepEqual((await admin(emu, 'POST', `/sessions/${silentSession}/idle`)).body, { expired: true });
    assert.equal((await api.getAgent(POOL, silent.id!)).status, 1, 'offline');
    const requeued = await api.getAgentRequest(POOL, id);
    assert.equal(requeued.assignTime, undefined);
    assert.equal(requeued.reservedAgent, undefined);
    const helper = await register(api, 'helper');
    const sessionId = await online(api, helper);
    const message = await waitFor(() => api.getMessage(POOL, sessionId));
    assert.equal(JSON.parse(message.body!).requestId, id);
  });

  it('never expires the session of an agent running its job, nor one with a poll waiting', async () => {
    // Each job demands its own agent's capability: the idle agents of the other test never take it.
    const busy = await register(api, 'busy', { busy: '1' });
    const busySession = await online(api, busy);
    const id = await queueJob(emu, { pool: 'k8s-agents', demands: ['busy'], durationMs: 60_000 });
    assert.equal(JSON.parse((await api.getMessage(POOL, busySession)).body!).requestId, id);
    assert.deepEqual((await admin(emu, 'POST', `/sessions/${busySession}/idle`)).body, { expired: false });
    assert.equal((await api.getAgentRequest(POOL, id)).result, undefined, 'still running');
    await admin(emu, 'POST', `/jobs/${id}/finish`, { result: 'succeeded' });

    const waiting = await register(api, 'waiting', { waiter: '1' });
    const waitingSession = await online(api, waiting);
    const poll = api.getMessage(POOL, waitingSession);
    await waitFor(async () => (await admin(emu, 'GET', '/state')).body.sessions.find((s: { sessionId: string }) => s.sessionId === waitingSession)?.waiting);
    assert.deepEqual((await admin(emu, 'POST', `/sessions/${waitingSession}/idle`)).body, { expired: false });
    const next = await queueJob(emu, { pool: 'k8s-agents', demands: ['waiter'], durationMs: 50 });
    assert.equal(JSON.parse((await poll).body!).requestId, next, 'the waiting poll is still served');
  });
});
