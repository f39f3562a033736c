// Pods that cannot start back off per spec, and say why at once (sandbox-only: the kubelet
// faults are the sandbox kubelet's). The backoff is compressed to POD_FAILURE_BACKOFF_SECONDS=6,12.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoreV1EventList } from '@kubernetes/client-node';
import { HELD_UNTIL_ANNOTATION, HOLD_REASON } from '../../../reconciler/cluster/events.ts';
import { maxBatchesWithin } from '../../../reconciler/plan/podFailureBackoff.ts';
import { eventually, inlineAgentSpec, pushAsPersonRetrying, useWorld, type Commit, type World } from '../../helpers/world.ts';

const SCHEDULE = { initialSeconds: 6, maxSeconds: 12 };
const WINDOW_SECONDS = 36;
const ENV = { POD_FAILURE_BACKOFF_SECONDS: `${SCHEDULE.initialSeconds},${SCHEDULE.maxSeconds}` };

const spec = (name: string, image: string, secret: string): string => inlineAgentSpec({ name, image, secret });

interface SpecCommit {
  readonly pass: Date;
  readonly added: string[];
  readonly removed: { pod: string; reason: string }[];
}

/** The reconciler's commits that add or remove pods of `specName`, oldest first. */
async function specCommits(world: World, specName: string): Promise<SpecCommit[]> {
  const trailer = (c: Commit, name: string) =>
    (new RegExp(`^${name}: (.*)$`, 'm').exec(c.body)?.[1] ?? '').split(',').map((p) => p.trim()).filter((p) => p.startsWith(`${specName}-`));
  const reason = (c: Commit, pod: string) => new RegExp(`^\\s+${pod}\\s+\\(${specName}\\) (\\S+)$`, 'm').exec(c.body)?.[1] ?? '';
  const parse = (c: Commit): SpecCommit => ({
    pass: new Date(/^Azdo-Gitops-Pass: (\S+)$/m.exec(c.body)?.[1] ?? 0),
    added: trailer(c, 'Azdo-Gitops-Added'),
    removed: trailer(c, 'Azdo-Gitops-Removed').map((pod) => ({ pod, reason: reason(c, pod) })),
  });
  return (await world.commits())
    .filter((c) => c.author === 'azdo-gitops')
    .map(parse)
    .filter((c) => c.added.length + c.removed.length > 0)
    .reverse();
}

/** The backoff Events (reason AgentSpecBackOff) of a spec, oldest first. */
async function holdEvents(world: World, specName: string) {
  const list: CoreV1EventList = await world.core.listNamespacedEvent({ namespace: world.namespace });
  return list.items
    .filter((e) => e.reason === HOLD_REASON && e.related?.name === specName)
    .sort((a, b) => new Date(a.firstTimestamp ?? 0).getTime() - new Date(b.firstTimestamp ?? 0).getTime());
}

/**
 * Runs the failing spec for WINDOW_SECONDS from its first pod and checks the commits stay within
 * what the schedule allows: at most maxBatchesWithin(window) pods, each one commit to add and one
 * to remove.
 */
async function commitsInWindow(world: World, specName: string): Promise<SpecCommit[]> {
  const first = await eventually(`a first ${specName} pod committed`, async () => (await specCommits(world, specName)).find((c) => c.added.length > 0), 30_000);
  const end = first.pass.getTime() + WINDOW_SECONDS * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, end + 2_000 - Date.now())));
  const inWindow = (await specCommits(world, specName)).filter((c) => c.pass.getTime() >= first.pass.getTime() && c.pass.getTime() <= end);
  const bound = 2 * maxBatchesWithin(WINDOW_SECONDS, SCHEDULE);
  assert.ok(inWindow.length <= bound, `${inWindow.length} commits for ${specName} in ${WINDOW_SECONDS} s, above the schedule's bound ${bound}`);
  assert.ok(inWindow.reduce((n, c) => n + c.added.length, 0) <= maxBatchesWithin(WINDOW_SECONDS, SCHEDULE));
  return inWindow;
}

const heldUntil0 = (e: { metadata?: { annotations?: Record<string, string> } }): number => Date.parse(e.metadata?.annotations?.[HELD_UNTIL_ANNOTATION] ?? '');

/** Reconciler log records (JSON lines) with the given message. */
const logRecords = (output: string, msg: string): Record<string, unknown>[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(msg))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.msg === msg);

describe('a spec whose pods reference a missing Secret', () => {
  const world = useWorld({}, 'sandbox');

  it('fails each pod at once, backs off within the schedule, says which Secret, and scales normally the first pass after the hold once the Secret exists', async () => {
    await pushAsPersonRetrying(world, { 'agentspecs/gpu.yaml': spec('gpu', 'registry.example.com/azure-pipelines-agent:ubuntu-24.04', 'gpu-agent-token') }, 'add a gpu AgentSpec');
    const reconciler = world.startReconciler(ENV);
    await eventually('a gpu placeholder', async () => (await world.placeholders()).some((p) => p.userCapabilities?.['gpu'] !== undefined), 30_000);
    const job = await world.admin.queueJob({ name: 'gpu-job', demands: ['gpu'], durationMs: 500 });

    const commits = await commitsInWindow(world, 'gpu');
    // Failed at once, not at the 10-minute registration deadline.
    const firstAdd = commits.find((c) => c.added.length > 0)!;
    const firstRemoval = commits.find((c) => c.removed.some((r) => r.pod === firstAdd.added[0]))!;
    assert.ok(firstRemoval, `the first pod ${firstAdd.added[0]} removed within the window`);
    assert.equal(firstRemoval.removed.find((r) => r.pod === firstAdd.added[0])!.reason, 'pod-start-error');
    assert.ok(firstRemoval.pass.getTime() - firstAdd.pass.getTime() < 10_000, 'removed within seconds of its start');
    // The replacement waited for the hold: no add in the same commit as the removal.
    for (const c of commits) assert.ok(!(c.added.length > 0 && c.removed.length > 0), 'a failing pod is never replaced in the commit that removes it');

    // One Warning Event per hold, naming the Secret; one log warning each.
    const events = await holdEvents(world, 'gpu');
    assert.ok(events.length >= 2, `${events.length} backoff events`);
    for (const e of events) {
      assert.equal(e.type, 'Warning');
      assert.match(e.message ?? '', /CreateContainerConfigError: secret "gpu-agent-token" not found/);
    }
    assert.equal(new Set(events.map((e) => e.involvedObject.name)).size, events.length, 'one Event per failing pod');
    assert.ok(logRecords(reconciler.output(), 'AgentSpec held back: its pods fail without running a job; no new pod of it until the hold ends').length >= events.length);

    // Fix it right after a hold began: no gpu pod exists until the hold ends.
    const removals = (await specCommits(world, 'gpu')).filter((c) => c.removed.length > 0).length;
    const { holdEvent, holdStart } = await eventually(
      'a fresh hold',
      async () => {
        const last = (await specCommits(world, 'gpu')).filter((c) => c.removed.length > 0);
        const latest = (await specCommits(world, 'gpu')).at(-1)!;
        if (last.length <= removals || latest.removed.length === 0) return undefined;
        const e = (await holdEvents(world, 'gpu')).at(-1);
        return e && e.involvedObject.name === latest.removed[0]!.pod ? { holdEvent: e, holdStart: latest.pass } : undefined;
      },
      60_000,
      100,
    );
    // The removed pod must be gone first: the kubelet would start it as soon as the Secret exists.
    await eventually('no gpu pod left in the cluster', async () => !(await world.pods()).some((p) => p.metadata?.name?.startsWith('gpu-')), 30_000, 100);
    assert.ok(Date.now() < heldUntil0(holdEvent), 'the Secret is created while the spec is still held');
    await world.core.createNamespacedSecret({
      namespace: world.namespace,
      body: { metadata: { name: 'gpu-agent-token', namespace: world.namespace }, type: 'Opaque', stringData: { token: world.sandbox.info.agentToken } },
    });
    const heldUntil = new Date(holdEvent.metadata!.annotations![HELD_UNTIL_ANNOTATION]!);

    // Rule: the first pass that starts at or after the hold's end adds the spec's pod.
    const add = await eventually('a gpu pod added after the hold', async () => (await specCommits(world, 'gpu')).find((c) => c.added.length > 0 && c.pass.getTime() >= heldUntil.getTime() - 1), 60_000);
    const passesBetween = logRecords(reconciler.output(), 'pass done').filter((r) => {
      const start = new Date(r.time as string).getTime() - (r.durationMs as number);
      return start >= heldUntil.getTime() && start < add.pass.getTime() - 50;
    });
    assert.deepEqual(passesBetween, [], 'no pass after the hold ended left the spec at zero');
    const addedWhileHeld = (await specCommits(world, 'gpu')).filter((c) => c.added.length > 0 && c.pass > holdStart && c.pass < heldUntil);
    assert.deepEqual(addedWhileHeld, [], 'nothing added while held');

    await eventually('the gpu job succeeded', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.result === 'succeeded', 60_000);
    assert.match((await world.admin.state()).jobs.find((j) => j.requestId === job)!.reservedAgent!.name, /^gpu-/);
    await eventually('the hold ended by the pod that ran the job', async () => logRecords(reconciler.output(), 'AgentSpec hold ended: a pod of it ran a job, or the spec changed').some((r) => r.spec === 'gpu'), 30_000);
    await reconciler.stop();
  });
});

describe('a spec whose every pod crashes at start', () => {
  const world = useWorld({ crashingImages: { 'crashing-agent': 3 } }, 'sandbox');

  it('backs off within the schedule, and each hold carries the exit code', async () => {
    await pushAsPersonRetrying(world, { 'agentspecs/crash.yaml': spec('crash', 'registry.example.com/crashing-agent:1', 'azdo-agent-token') }, 'add a crash AgentSpec');
    const reconciler = world.startReconciler(ENV);
    await eventually('a crash placeholder', async () => (await world.placeholders()).some((p) => p.userCapabilities?.['crash'] !== undefined), 30_000);
    await world.admin.queueJob({ name: 'crash-job', demands: ['crash'], durationMs: 500 });

    const commits = await commitsInWindow(world, 'crash');
    assert.ok(commits.some((c) => c.removed.some((r) => r.reason === 'pod-failed')));
    const events = await holdEvents(world, 'crash');
    assert.ok(events.length >= 2, `${events.length} backoff events`);
    for (const e of events) assert.match(e.message ?? '', /container agent exited with code 3 \(Error\)/);
    // The pending job stays reported while the spec is held.
    const status = await world.cli(['status', '--json']);
    const crash = (JSON.parse(status.stdout) as { specs: { specName: string; pendingJobs: number }[] }).specs.find((s) => s.specName === 'crash');
    assert.equal(crash?.pendingJobs, 1);
    await reconciler.stop();
  });
});
