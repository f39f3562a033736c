import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { eventually, useWorld, type ReconcilerProcess } from '../../helpers/world.ts';

/** Log records of a reconciler (JSON lines), with their time. */
const records = (r: ReconcilerProcess): { time: number; msg: string; line: string }[] =>
  r.output().split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const rec = JSON.parse(line) as { time: string; msg: string };
    return [{ time: Date.parse(rec.time), msg: rec.msg, line }];
  });

/** The probe's value once it has one, or undefined after `ms` (assertions come later, in order). */
const soon = <T>(probe: () => T | undefined, ms: number): Promise<T | undefined> => eventually('', probe, ms, 100).catch(() => undefined);

/** Removal reasons that are verdicts on pods (git lines like `  linux-abc12  (linux) pod-deleted`). */
const POD_VERDICT = /^\s+\S+\s+\(\S+\) (pod-deleted|pod-succeeded|pod-failed|sync-deadline|registration-deadline|image-pull-deadline|unschedulable-deadline)(, ran job request \d+)?$/m;

describe('the API server blackholed for the reconciler (connections hang, nothing refused)', () => {
  // Only the reconciler is cut off: Flux (the syncer), the kubelet and the agents still reach the
  // API server, so pods keep appearing and finishing behind the reconciler's back.
  const world = useWorld({}, 'sandbox');

  it('judges no pod from its frozen view, stops writing at its renew deadline, and recovers soon after', async (t) => {
    const api = world.sandbox.apiServer!;
    const reconciler = world.startReconciler({ KUBECONFIG: api.kubeconfigFor('reconciler') });
    const kc = new KubeConfig();
    kc.loadFromFile(world.sandbox.info.kubeconfig);
    const leases = kc.makeApiClient(CoordinationV1Api);
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'), 60_000);
    await eventually('back at one manifest and one pod', async () => (await world.manifests()).length === 1 && (await world.pods()).length === 1, 30_000);
    const agentsAtCut = (await world.agents()).map((a) => a.name);
    const manifestsAtCut = await world.manifests();

    const cutAt = Date.now();
    api.blackhole('reconciler');
    const since = (pattern: RegExp) => () => records(reconciler).find((r) => r.time >= cutAt && pattern.test(r.line));

    // 1. Within the freshness bound the reconciler stops trusting its pod view (still the leader).
    const stale = await soon(since(/"msg":"pod view stale/), 15_000);
    // Jobs now: their pods and agents (and a new standby's) appear behind the partition, and
    // finish there. A frozen view would call those pods missing: "pod-deleted", unregistered.
    const jobs = await Promise.all([1, 2].map((i) => world.admin.queueJob({ name: `behind-${i}`, durationMs: 1_500 })));
    // 2. The renew deadline passes: leadership, and with it every write, ends.
    const lost = await soon(since(/"msg":"not the leader; standing by".*renew deadline/), 20_000);
    const commitsAtLoss = (await world.commits()).length;
    // More work the reconciler would act on if it could: a job queued, the earlier ones finishing.
    const later = await world.admin.queueJob({ name: 'behind-3', durationMs: 1_500 });
    await eventually('a job finished behind the partition', async () => (await world.admin.state()).jobs.some((j) => jobs.includes(j.requestId) && j.state === 'finished'), 60_000);
    await sleep(3_000);

    // Nothing was judged from the frozen view, nothing unregistered.
    const during = await world.commits();
    for (const c of during) assert.doesNotMatch(c.body, POD_VERDICT, `commit ${c.oid.slice(0, 12)} judged a pod while the view was frozen:\n${c.body}`);
    const ranBehind = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId) && j.reservedAgent !== undefined).map((j) => j.reservedAgent!.name);
    const registered = new Set((await world.agents()).map((a) => a.name));
    for (const a of [...agentsAtCut, ...ranBehind]) assert.ok(registered.has(a), `${a} still registered`);
    const manifests = await world.manifests();
    for (const m of manifestsAtCut) assert.ok(manifests.includes(m), `${m} still on main`);
    assert.ok(!records(reconciler).some((r) => r.time >= cutAt && /^(unregistered agent|registered placeholder agent)$/.test(r.msg)), 'no agent unregistered or registered behind the partition');

    assert.ok(stale, 'the reconciler called its pod view stale');
    t.diagnostic(`pod view stale ${stale.time - cutAt} ms after the cut`);
    // And nothing written after the renew deadline.
    assert.ok(lost, 'leadership ended at the renew deadline');
    const renewTime = new Date((await leases.readNamespacedLease({ name: 'azdo-gitops', namespace: world.namespace })).spec!.renewTime!).getTime();
    t.diagnostic(`writes stopped ${lost.time - cutAt} ms after the cut, ${lost.time - renewTime} ms after the last renewal (lease 15 s)`);
    assert.ok(lost.time - renewTime <= 12_000, `writes stopped ${lost.time - renewTime} ms after the last renewal: the renew deadline is 10 s`);
    assert.equal(during.length, commitsAtLoss, 'no commit after the renew deadline');
    const pushes = records(reconciler).filter((r) => r.msg === 'pushed');
    assert.ok(pushes.every((p) => p.time <= lost.time), `pushed after the deadline: ${pushes.filter((p) => p.time > lost.time).map((p) => p.line).join('\n')}`);

    // 3. The server answers again: the lease, the pod view and the passes come back at once.
    api.endBlackhole();
    const backAt = Date.now();
    const firstPush = await eventually('a push after the blackhole', () => records(reconciler).find((r) => r.time >= backAt && r.msg === 'pushed'), 30_000, 100);
    t.diagnostic(`first push ${firstPush.time - backAt} ms after the blackhole ended`);
    // A renewal hung at that moment gives up within 4 s, the next succeeds; the pass runs at once.
    assert.ok(firstPush.time - backAt <= 10_000, `first push ${firstPush.time - backAt} ms after the blackhole ended`);

    const all = [...jobs, later];
    await eventually('every job finished', async () => (await world.admin.state()).jobs.filter((j) => all.includes(j.requestId)).every((j) => j.state === 'finished'), 60_000);
    assert.deepEqual((await world.admin.state()).jobs.filter((j) => all.includes(j.requestId)).map((j) => j.result), all.map(() => 'succeeded'));
    await eventually(
      'the agents that ran jobs behind the partition pruned as finished and unregistered',
      async () => {
        const agents = new Set((await world.agents()).map((a) => a.name));
        const onMain = (await world.manifests()).join('\n');
        return ranBehind.every((n) => !agents.has(n) && !onMain.includes(n));
      },
      60_000,
    );
    const bodies = (await world.commits()).map((c) => c.body).join('\n');
    for (const n of ranBehind) assert.match(bodies, new RegExp(`^\\s+${n}\\s+\\(linux\\) (pod-succeeded|scale-down)(, ran job request \\d+)?$`, 'm'), `${n} pruned as finished`);
    assert.doesNotMatch(bodies, /\) pod-deleted$/m, 'no pod ever taken for deleted');
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);
    assert.equal(await reconciler.stop(), 0);
  });
});
