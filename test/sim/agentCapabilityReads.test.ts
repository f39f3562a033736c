// The agent list is read without capabilities; the few agents that need them are read one by one
// (or their pool listed with them when many do), once per registration. Against the simulated
// service, through the product's adapter and its session cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentCapabilityCache } from '../../reconciler/azdo/agentCapabilityCache.ts';
import { listAgents } from '../../reconciler/azdo/agents.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import type { AzdoSession } from '../../reconciler/azdo/session.ts';
import { AzdoUnreadableResponseError } from '../../reconciler/errors/azdoErrors.ts';
import { CAPABILITY_READ_CONCURRENCY, LIST_CAPABILITIES_ABOVE, readNeededCapabilities } from '../../reconciler/observe/agentCapabilities.ts';
import { Ownership } from '../../reconciler/plan/agentOwnership.ts';
import type { PoolAgent } from '../../reconciler/plan/observed.ts';
import { Rng } from '../../sim/random.ts';
import { registerAgent, ServiceApi, ServiceModel, type CallRecord } from '../../sim/serviceModel.ts';
import { VirtualTime } from '../../sim/virtualTime.ts';
import { virtualRun } from '../helpers/virtualRun.ts';

const POOL = 'k8s-agents';
const env = (spec: string) => Object.fromEntries([['AZDO_GITOPS_SPEC', spec], ...Array.from({ length: 60 }, (_, i) => [`ENV_${i}`, `value-${i}`])]);

function service() {
  const vt = new VirtualTime(Date.parse('2026-03-02T08:00:00Z'));
  const svc = new ServiceModel(vt);
  const pool = svc.state.addPool(POOL);
  const calls: CallRecord[] = [];
  const api = new ServiceApi(svc, new Rng(1), { dead: false }, (c) => calls.push(c));
  const session: AzdoSession = { api, pools: new PoolDirectory(api), agentCapabilities: new AgentCapabilityCache() };
  const run = virtualRun(vt);
  /** One observation: the lean list, then the reads of `needed` (names); the calls it made by method. */
  const observe = async (needed: (a: PoolAgent) => boolean) => {
    const listed = await run(listAgents(api, pool.id, POOL));
    await run(session.pools.idOf(POOL)); // the pass resolved the pool before listing it
    calls.length = 0;
    const agents = await run(readNeededCapabilities(session, listed, listed.filter(needed)));
    const byMethod: Record<string, number> = {};
    for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    return { agents, byMethod, byName: new Map(agents.map((a) => [a.name, a])) };
  };
  return { svc, pool, api, run, session, observe };
}

test('the lean list carries no capabilities; the per-agent read carries them', async () => {
  const s = service();
  registerAgent(s.svc, s.pool.id, 'linux-abc12', env('linux'), {}, '4.260.0');
  const [a] = await s.run(listAgents(s.api, s.pool.id, POOL));
  assert.equal(a?.capabilitiesRead, false);
  assert.equal(a?.specMarker, undefined);
  const wire = await s.run(s.api.getAgents(s.pool.id, undefined, false, true, true));
  assert.ok(!('systemCapabilities' in wire[0]!) && !('userCapabilities' in wire[0]!), 'includeCapabilities=false omits them, as the service does');
  const r = await s.observe(() => true);
  assert.equal(r.byName.get('linux-abc12')?.specMarker, 'linux');
  assert.equal(r.byName.get('linux-abc12')?.capabilitiesRead, true);
  assert.deepEqual(r.byMethod, { getAgents: 1 }, 'one read: the list filtered by its name');
});

test('each registration is read once: a steady pass makes no read; an agent registered again is read again', async () => {
  const s = service();
  const person = registerAgent(s.svc, s.pool.id, 'build-vm', { PATH: '/usr/bin' }, {}, '4.260.0');
  registerAgent(s.svc, s.pool.id, 'linux-placeholder', { 'Agent.Name': 'linux-placeholder' }, { 'azdo-gitops.placeholder': 'linux' }, '4.260.0');
  registerAgent(s.svc, s.pool.id, 'linux-abc12', env('linux'), {}, '4.260.0');
  const notOurPod = (a: PoolAgent) => a.name !== 'linux-abc12';
  const first = await s.observe(notOurPod);
  assert.deepEqual(first.byMethod, { getAgents: 2 });
  assert.equal(first.byName.get('linux-placeholder')?.userCapabilities['azdo-gitops.placeholder'], 'linux');
  assert.equal(first.byName.get('build-vm')?.specMarker, undefined);
  assert.equal(first.byName.get('linux-abc12')?.capabilitiesRead, false, 'our pod’s agent was not read');
  const steady = await s.observe(notOurPod);
  assert.deepEqual(steady.byMethod, {}, 'no call in steady state');
  assert.equal(steady.byName.get('linux-placeholder')?.capabilitiesRead, true, 'known from the cache');

  // The person removes the agent and configures one of the same name: a new id, read anew.
  s.svc.state.agents.delete(person.id);
  registerAgent(s.svc, s.pool.id, 'build-vm', { PATH: '/usr/bin', AZDO_GITOPS_SPEC: 'linux' }, {}, '4.260.0');
  const again = await s.observe(notOurPod);
  assert.deepEqual(again.byMethod, { getAgents: 1 });
  assert.equal(again.byName.get('build-vm')?.specMarker, 'linux');
  assert.equal(s.session.agentCapabilities?.size, 2, 'the removed registration’s entry is dropped');
});

test('when many agents of a pool need a read, the pool is listed with capabilities once instead', async () => {
  const s = service();
  for (let i = 0; i < LIST_CAPABILITIES_ABOVE + 1; i++) registerAgent(s.svc, s.pool.id, `linux-a${String(i).padStart(4, '0')}`, env('linux'), {}, '4.260.0');
  const r = await s.observe(() => true);
  assert.deepEqual(r.byMethod, { getAgents: 1 }, 'one list, not 51 reads');
  assert.ok(r.agents.every((a) => a.specMarker === 'linux' && a.capabilitiesRead === true));
  assert.deepEqual((await s.observe(() => true)).byMethod, {});
});

test('per-agent reads run at most CAPABILITY_READ_CONCURRENCY at once', async () => {
  const s = service();
  for (let i = 0; i < 30; i++) registerAgent(s.svc, s.pool.id, `vm-${i}`, { PATH: '/usr/bin' }, {}, '4.260.0');
  let inFlight = 0;
  let most = 0;
  const getAgents = s.api.getAgents.bind(s.api);
  s.api.getAgents = async (...args: Parameters<typeof getAgents>) => {
    most = Math.max(most, ++inFlight);
    try {
      return await getAgents(...args);
    } finally {
      inFlight--;
    }
  };
  const listed = await s.run(listAgents(s.api, s.pool.id, POOL));
  most = 0;
  await s.run(readNeededCapabilities(s.session, listed, listed));
  assert.equal(s.session.agentCapabilities?.size, 30);
  assert.equal(most, CAPABILITY_READ_CONCURRENCY);
});

test('a read that fails or is unreadable fails the observation: nothing is concluded about the agent', async () => {
  const s = service();
  registerAgent(s.svc, s.pool.id, 'build-vm', { PATH: '/usr/bin' }, {}, '4.260.0');
  const listed = await s.run(listAgents(s.api, s.pool.id, POOL));
  await s.run(s.session.pools.idOf(POOL));
  s.svc.faults = { throttle: 0, serverError: 0, unreadable: 1 };
  await assert.rejects(s.run(readNeededCapabilities(s.session, listed, listed)), AzdoUnreadableResponseError);
  assert.equal(s.session.agentCapabilities?.size, 0, 'nothing remembered');
  s.svc.faults = { throttle: 0, serverError: 1, unreadable: 0 };
  await assert.rejects(s.run(readNeededCapabilities(s.session, listed, listed)));
});

test('an agent removed between the list and its read stays unread: its ownership unknown, left alone', async () => {
  const s = service();
  registerAgent(s.svc, s.pool.id, 'linux-orph1', env('linux'), {}, '4.260.0');
  const listed = await s.run(listAgents(s.api, s.pool.id, POOL));
  await s.run(s.session.pools.idOf(POOL));
  s.svc.state.agents.clear();
  const agents = await s.run(readNeededCapabilities(s.session, listed, listed));
  assert.equal(agents[0]?.capabilitiesRead, false);
  assert.equal(new Ownership(agents, [], []).of(agents[0]!), 'unknown');
});
