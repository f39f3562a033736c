import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LIST_JOBS_ROUTE as LIST_JOBS } from '../../sandbox/azdo/adminClient.ts';
import { eventually, useWorld } from '../helpers/world.ts';


describe('Azure DevOps throttling (429 with Retry-After)', () => {
  const world = useWorld();

  it('waits as Retry-After asks, does not hammer the service, and scales normally afterwards', async (t) => {
    const reconciler = world.startReconciler();
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'));

    // A job on the standby agent finishes during the throttled window: its pod completion
    // triggers a pass, which must not cut the wait short either.
    const during = await world.admin.queueJob({ name: 'during-throttle', durationMs: 500 });
    await world.admin.resetStats();
    await world.admin.setFaults({ throttle: { retryAfterSeconds: 3 }, route: LIST_JOBS });
    const windowMs = 9_000;
    await sleep(windowMs);
    const stats = (await world.admin.state()).stats;
    await world.admin.clearFaults();

    const listCalls = stats.byRoute[LIST_JOBS] ?? 0;
    t.diagnostic(`job listings during the throttled window: ${listCalls}`);
    // At a 1 s poll interval the window would see ≥ 9 listings; waiting 3 s per 429 allows ≤ 4.
    assert.ok(listCalls >= 1, 'the reconciler kept trying');
    assert.ok(listCalls <= 4, `${listCalls} job listings in ${windowMs / 1000} s while every one was answered 429 with Retry-After: 3`);
    assert.equal(stats.throttled, listCalls, 'every listing in the window was throttled');
    // Each throttled pass is at least the asked 3 s after the previous one (a pod-completion
    // trigger in between included).
    const throttledAt = reconciler
      .output()
      .split('\n')
      .filter((l) => /waiting 3s as Retry-After asks/.test(l))
      .map((l) => Date.parse((JSON.parse(l) as { time: string }).time));
    assert.ok(throttledAt.length >= 2, 'the reconciler logs that it waits as Retry-After asks');
    const gaps = throttledAt.slice(1).map((at, i) => at - throttledAt[i]!);
    t.diagnostic(`gaps between throttled passes (ms): ${gaps.join(', ')}`);
    assert.ok(gaps.every((g) => g >= 2_500), `passes retried sooner than Retry-After allows: ${gaps.join(', ')} ms apart`);

    // Afterwards it scales as usual: a burst above standby gets agents and runs.
    const jobs = [during, ...(await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `after-${i}`, durationMs: 500 }))))];
    await eventually(
      'every job finished',
      async () => (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).every((j) => j.state === 'finished'),
      90_000,
    );
    const results = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).map((j) => j.result);
    assert.deepEqual(results, jobs.map(() => 'succeeded'));
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);
    assert.equal(await reconciler.stop(), 0);
  });
});
