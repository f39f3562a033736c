import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, useWorld, type ReconcilerProcess } from '../helpers/world.ts';

/** Commit oids (12 chars) a reconciler logged as pushed. */
const pushedBy = (r: ReconcilerProcess): Set<string> =>
  new Set([...r.output().matchAll(/"msg":"pushed".*?"commit":"([0-9a-f]{12})"/g)].map((m) => m[1]!));

describe('two reconcilers against one branch (leader election)', () => {
  const world = useWorld();
  let stateRoot: string;
  before(async () => {
    stateRoot = await mkdtemp(join(tmpdir(), 'azdo-gitops-leader-'));
  });
  after(async () => {
    await rm(stateRoot, { recursive: true, force: true });
  });

  it('only the lease holder commits; when it is killed the other takes over within the lease time and keeps scaling', async (t) => {
    // Each replica has its own git cache, like two pods.
    const start = (name: string) => world.startReconciler({ POD_NAME: name, STATE_DIR: join(stateRoot, name) });
    const a = start('reconciler-a');
    await eventually('reconciler-a leads', () => /became leader/.test(a.output()), 30_000);
    const b = start('reconciler-b');
    await eventually('reconciler-b started', () => /controller started/.test(b.output()), 30_000);

    const before = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `before-${i}`, durationMs: 800 })));
    await eventually('the first jobs finished', async () => (await world.admin.state()).jobs.filter((j) => before.includes(j.requestId)).every((j) => j.state === 'finished'), 60_000);
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);

    // Every reconciler commit so far was pushed by the leader; the standby never passed.
    const ours = (await world.commits()).filter((c) => c.author === 'azdo-gitops');
    const byA = pushedBy(a);
    assert.ok(ours.length >= 2, 'the leader committed');
    for (const c of ours) assert.ok(byA.has(c.oid.slice(0, 12)), `commit ${c.oid.slice(0, 12)} pushed by the leader`);
    assert.equal(pushedBy(b).size, 0, 'the standby replica pushed nothing');
    assert.doesNotMatch(b.output(), /became leader|"msg":"pass done"/);
    assert.match(b.output(), /"msg":"not the leader; standing by".*"holder":"reconciler-a"/, 'the standby replica says it stands by, and for whom');

    // Kill the leader without letting it release the lease.
    const killedAt = Date.now();
    assert.equal(await a.stop('SIGKILL'), 'SIGKILL');
    await eventually('reconciler-b takes over', () => /became leader/.test(b.output()), 40_000, 100);
    const takeoverMs = Date.now() - killedAt;
    t.diagnostic(`takeover after ${takeoverMs} ms (lease 15 s, renewed every 2 s)`);
    assert.ok(takeoverMs <= 25_000, `took over after ${takeoverMs} ms`);

    const afterJobs = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `after-${i}`, durationMs: 800 })));
    await eventually('the jobs after the takeover finished', async () => (await world.admin.state()).jobs.filter((j) => afterJobs.includes(j.requestId)).every((j) => j.state === 'finished'), 60_000);
    const results = (await world.admin.state()).jobs.filter((j) => afterJobs.includes(j.requestId)).map((j) => j.result);
    assert.deepEqual(results, afterJobs.map(() => 'succeeded'));
    await eventually('back at standby again', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);
    const newCommits = (await world.commits()).filter((c) => c.author === 'azdo-gitops' && !ours.some((o) => o.oid === c.oid));
    const byB = pushedBy(b);
    assert.ok(newCommits.length >= 1, 'the new leader committed');
    for (const c of newCommits) assert.ok(byB.has(c.oid.slice(0, 12)), `commit ${c.oid.slice(0, 12)} pushed by the new leader`);
    assert.equal(await b.stop(), 0);
  });
});
