// Azure DevOps answering 2xx with a body that is not its JSON (a proxy's or maintenance page, a
// body cut short, `{}`): the published client resolves null or passes `{}` through, and nothing
// may be concluded from that. Each pass under such a fault changes nothing and says why.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LIST_AGENTS_ROUTE, LIST_JOBS_ROUTE, type UnreadableReply } from '../../sandbox/azdo/adminClient.ts';
import { eventually, exampleSpec, useWorld, type World } from '../helpers/world.ts';

const REGISTER = 'POST distributedtask/pools/{poolId}/agents';
const DISABLE = 'PATCH distributedtask/pools/{poolId}/agents/{agentId}';
const READ_AGENT = 'GET distributedtask/pools/{poolId}/agents/{agentId}';
const UNREGISTER = 'DELETE distributedtask/pools/{poolId}/agents/{agentId}';
const REPLIES: readonly UnreadableReply[] = ['html', 'truncated-json', 'empty-object'];
/** Short, so that agents misread as "none" would make the standby pod look stuck and be pruned. */
const REGISTRATION_DEADLINE_SECONDS = 20;

/** Everything a pass could change: manifests, commits, agents (and whether enabled), agent writes. */
async function worldState(world: World) {
  const state = await world.admin.state();
  return {
    manifests: (await world.manifests()).sort(),
    commits: (await world.commits()).length,
    agents: state.agents.map((a) => `${a.name}:${a.enabled ? 'enabled' : 'disabled'}`).sort(),
    agentWrites: [REGISTER, DISABLE, UNREGISTER].map((r) => `${r}: ${state.stats.byRoute[r] ?? 0}`),
  };
}

/** Runs `once` under one fault and checks it exits 1 naming the read, having changed nothing. */
async function onceUnder(world: World, route: string, reply: UnreadableReply, read: RegExp): Promise<void> {
  const before = await worldState(world);
  await world.admin.setFaults({ reply, route });
  const r = await world.cli(['once']);
  await world.admin.clearFaults();
  const what = `${reply} on ${route}`;
  assert.equal(r.code, 1, `${what}: once exits 1 (stdout: ${r.stdout})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, read, `${what}: the line names the read`);
  assert.match(lines[0]!, /answered 2xx with a body that is not the expected JSON .*AZDO_ORG_URL/, `${what}: the line says what to check`);
  assert.deepEqual(await worldState(world), before, `${what}: nothing disabled, removed, unregistered, registered or committed`);
}

describe('Azure DevOps answering 2xx with an unreadable body on a pass\'s reads', () => {
  const world = useWorld();

  it('once exits 1 with one line naming the read and changes nothing under each fault; the next pass scales as usual', async () => {
    const linux = (await exampleSpec('linux.yaml')).replace('registration: 10m', `registration: ${REGISTRATION_DEADLINE_SECONDS}s`);
    await world.pushAsPerson({ 'agentspecs/linux.yaml': linux }, 'linux: short registration deadline');
    assert.equal((await world.cli(['once'])).code, 0, 'the first pass registers placeholders and the standby pod');
    const standby = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name, 60_000);
    const standbyOnlineAt = Date.now();
    // A job no agent runs yet: a pass that cannot read the job list must not decide without it.
    const job = await world.admin.queueJob({ name: 'docker-job', demands: ['docker'], durationMs: 500 });

    for (const reply of REPLIES) await onceUnder(world, LIST_JOBS_ROUTE, reply, /^azdo-gitops: list job requests of pool "k8s-agents": /);

    const plan = await (async () => {
      await world.admin.setFaults({ reply: 'html', route: LIST_JOBS_ROUTE });
      try {
        return await world.cli(['plan', '--json']);
      } finally {
        await world.admin.clearFaults();
      }
    })();
    assert.equal(plan.code, 1, 'plan exits 1 too');
    assert.equal(plan.stdout, '', 'and proposes nothing');
    assert.match(plan.stderr.trim(), /^azdo-gitops: list job requests of pool "k8s-agents": Azure DevOps answered 2xx[^\n]*$/);

    // Past the registration deadline, a standby pod whose agent is missing from the list is stuck.
    await sleep(Math.max(0, standbyOnlineAt + (REGISTRATION_DEADLINE_SECONDS + 1) * 1000 - Date.now()));
    for (const reply of REPLIES) await onceUnder(world, LIST_AGENTS_ROUTE, reply, /^azdo-gitops: list agents of pool "k8s-agents": /);
    assert.ok((await world.manifests()).some((m) => m.endsWith(`/${standby}.yaml`)), 'the standby pod kept its manifest');

    // Fault cleared: the next pass sees the job and scales for it through git.
    const r = await world.cli(['once']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pushed [0-9a-f]{40}/);
    assert.match((await world.commits())[0]!.body, new RegExp(`^Azdo-Gitops-Job-Requests: ${job}$`, 'm'));
    await eventually('the job ran', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.result === 'succeeded', 60_000);
  });

  it('run logs each unreadable pass, retries with backoff, and carries on once the fault clears', async () => {
    // The finished docker pod of the last test is a removal waiting for a pass that can read.
    const finished = await eventually('the docker pod finished', async () => (await world.pods()).find((p) => p.metadata?.name?.startsWith('docker-') && p.status?.phase === 'Succeeded')?.metadata?.name, 60_000);
    const before = await worldState(world);
    await world.admin.setFaults({ reply: 'truncated-json', route: LIST_JOBS_ROUTE });
    const reconciler = world.startReconciler();
    await eventually('two failed passes logged', async () => reconciler.output().split('\n').filter((l) => /pass failed/.test(l)).length >= 2, 30_000);
    const failed = reconciler.output().split('\n').filter((l) => /pass failed/.test(l));
    assert.ok(failed.every((l) => /"kind":"AzdoUnreadableResponseError"/.test(l) && /list job requests of pool/.test(l)), failed.join('\n'));
    assert.ok(failed.some((l) => /"consecutiveFailures":2/.test(l)), 'consecutive failures counted (the backoff grows with them)');
    assert.deepEqual(await worldState(world), before, 'nothing changed while unreadable');
    await world.admin.clearFaults();
    await eventually('the finished pod pruned', async () => !(await world.manifests()).some((m) => m.endsWith(`/${finished}.yaml`)), 30_000);
    assert.equal(await reconciler.stop(), 0);
  });
});

describe('Azure DevOps answering 2xx with an unreadable body while an idle agent is drained', () => {
  const world = useWorld();

  it('removes the agent only once it reads disabled and idle', async () => {
    assert.equal((await world.cli(['once'])).code, 0);
    const idle = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name, 60_000);
    const linux = await exampleSpec('linux.yaml');
    await world.pushAsPerson({ 'agentspecs/linux.yaml': linux.replace('standby: 1', 'standby: 0') }, 'linux: no standby');
    const hasManifest = async () => (await world.manifests()).some((m) => m.endsWith(`/${idle}.yaml`));
    const agent = async () => (await world.agents()).find((a) => a.name === idle);

    // A page answers the disable: the service never disabled the agent, so it must stay.
    await world.admin.setFaults({ reply: 'html', route: DISABLE });
    const pageOnDisable = await world.cli(['once']);
    await world.admin.clearFaults();
    assert.equal(pageOnDisable.code, 1, 'the drain failure fails the pass');
    assert.match(pageOnDisable.stderr, /still reads enabled after disabling/);
    assert.ok(await hasManifest(), 'manifest kept while the agent is enabled');
    assert.equal((await agent())?.enabled, true, 'still registered and enabled');

    // `{}` answers the re-read after disabling: idle is not proven.
    await world.admin.setFaults({ reply: 'empty-object', route: READ_AGENT });
    const emptyReread = await world.cli(['once']);
    await world.admin.clearFaults();
    assert.equal(emptyReread.code, 1);
    // (a log line: JSON, so the quotes are escaped)
    assert.match(emptyReread.stderr, /read agent \d+ of pool \\"k8s-agents\\": Azure DevOps answered 2xx with a body that is not the expected JSON \(the object is an empty object \{\}\)/);
    assert.ok(await hasManifest(), 'manifest kept while the re-read is unreadable');
    assert.equal((await agent())?.enabled, false, 'disabled, still registered');

    // A page answers the re-read: the client gives null, as for a 404, and a readable list of the
    // pool settles it (the agent is there, disabled and idle), so the scale-down goes on.
    await world.admin.setFaults({ reply: 'html', route: READ_AGENT });
    const pageOnReread = await world.cli(['once']);
    await world.admin.clearFaults();
    assert.equal(pageOnReread.code, 0, pageOnReread.stderr);
    assert.ok(!(await hasManifest()), 'manifest removed');
    assert.ok((await world.commits()).some((c) => new RegExp(`^\\s+${idle}\\s+\\(linux\\) scale-down$`, 'm').test(c.body)));
  });
});
