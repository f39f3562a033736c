import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LIST_JOBS_ROUTE as LIST_JOBS } from '../../sandbox/azdo/adminClient.ts';
import { eventually, useWorld } from '../helpers/world.ts';

/** The e2e world runs the reconciler with POLL_INTERVAL_SECONDS=1. */
const POLL_INTERVAL_MS = 1000;


describe('an Azure DevOps outage (503 on every REST call)', () => {
  const world = useWorld();

  it('fails passes, retries each within one poll interval, deletes nothing, and scales the jobs queued meanwhile once the service is back', async (t) => {
    const reconciler = world.startReconciler();
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'));
    // A long job keeps the standby agent busy across the outage.
    const long = await world.admin.queueJob({ name: 'long', durationMs: 8_000 });
    await eventually('the long job running', async () => (await world.admin.state()).jobs.find((j) => j.requestId === long)?.reservedAgent !== undefined, 30_000);
    await eventually('a pass after the long job started', async () => (await world.manifests()).length === 2, 30_000);

    const manifestsBefore = (await world.manifests()).sort();
    const agentsBefore = (await world.agents()).map((a) => a.name).sort();
    const commitsBefore = (await world.commits()).length;

    await world.admin.resetStats();
    await world.admin.setFaults({ outage: true });
    // Jobs keep arriving while the service is down for the reconciler and the agents.
    const queued = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `meanwhile-${i}`, durationMs: 500 })));
    const windowMs = 10_000;
    await sleep(windowMs);
    const stats = (await world.admin.state()).stats;

    // Nothing was deleted or committed on a guess while Azure DevOps could not be observed.
    assert.deepEqual((await world.manifests()).sort(), manifestsBefore, 'manifests intact during the outage');
    assert.deepEqual((await world.agents()).map((a) => a.name).sort(), agentsBefore, 'agents intact during the outage');
    assert.equal((await world.commits()).length, commitsBefore, 'no commit while the service is down');
    assert.equal((await world.pods()).length, manifestsBefore.length, 'pods intact during the outage');

    const listCalls = stats.byRoute[LIST_JOBS] ?? 0;
    t.diagnostic(`job listings during the ${windowMs / 1000} s outage: ${listCalls}`);
    // Retried at the poll cadence (1 s here, jittered to 0.8–1 s), never faster: the same two
    // calls per pass whether the service answers or not, and recovery within one interval.
    assert.ok(listCalls >= 3, 'the reconciler kept retrying');
    assert.ok(listCalls <= windowMs / 800 + 2, `${listCalls} job listings in ${windowMs / 1000} s of outage: faster than the poll interval`);
    const failures = reconciler.output().split('\n').filter((l) => /pass failed/.test(l) && /Azure DevOps is unavailable \(503/.test(l));
    assert.ok(failures.length >= 2, 'failed passes are logged with the cause');
    assert.ok(failures.some((l) => /"consecutiveFailures":2/.test(l)), 'consecutive failures are counted');
    const retries = failures.map((l) => (JSON.parse(l) as { retryInMs: number }).retryInMs);
    assert.ok(retries.every((ms) => ms <= POLL_INTERVAL_MS), `each failed pass is retried within one poll interval: ${retries.join(', ')} ms`);

    await world.admin.clearFaults();
    const all = [long, ...queued];
    await eventually(
      'every job finished after the outage',
      async () => (await world.admin.state()).jobs.filter((j) => all.includes(j.requestId)).every((j) => j.state === 'finished'),
      90_000,
    );
    const jobs = (await world.admin.state()).jobs.filter((j) => all.includes(j.requestId));
    assert.deepEqual(jobs.map((j) => j.result), all.map(() => 'succeeded'));
    const attributed = new Set(
      (await world.commits()).flatMap((c) => /^Azdo-Gitops-Job-Requests: (.*)$/m.exec(c.body)?.[1]?.split(',').map(Number) ?? []),
    );
    assert.ok(queued.some((id) => attributed.has(id)), 'the jobs queued during the outage were scaled for through git');
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);
    assert.equal(await reconciler.stop(), 0);
  });
});
