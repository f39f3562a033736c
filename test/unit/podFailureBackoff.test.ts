import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Manifest, ObservedPod, ObservedState } from '../../reconciler/plan/observed.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import {
  activeHold,
  DEFAULT_BACKOFF_SCHEDULE,
  holdSeconds,
  maxBatchesWithin,
  nextBackoff,
  NO_BACKOFF,
  observedPodOutcomes,
  type BackoffSchedule,
  type BackoffState,
  type BackoffStep,
} from '../../reconciler/plan/podFailureBackoff.ts';
import { aJob, aManifest, aPod, aSpec, at, busyAgent, busyOf, observed, world } from '../helpers/fixtures.ts';

const gpu = aSpec('gpu', { capabilities: ['gpu'], maxAgents: 1 });
const linux = aSpec('linux', { capabilities: ['linux'] });
const S = DEFAULT_BACKOFF_SCHEDULE;
const configError = (name: string, createdAt = at(0)): ObservedPod =>
  aPod(name, { phase: 'Pending', createdAt, waitingReason: 'CreateContainerConfigError', waitingMessage: 'secret "gpu-token" not found' });
const crashed = (name: string, createdAt = at(0)): ObservedPod =>
  aPod(name, { phase: 'Failed', createdAt, terminated: { container: 'agent', exitCode: 3, reason: 'Error', message: undefined } });

/** One pass of the backoff over `o` (what the tracker does). */
function step(prev: BackoffState, o: ObservedState, schedule: BackoffSchedule = S): BackoffStep {
  return nextBackoff(prev, observedPodOutcomes(o), o.specs, new Set(o.manifests.map((m) => m.podName)), o.now, schedule);
}

const failing = (pod: ObservedPod, now = at(10), spec = gpu, m?: Manifest): ObservedState =>
  observed({ specs: [spec], manifests: [m ?? aManifest(spec, pod.name, { createdAt: pod.createdAt })], pods: [pod], pendingJobs: [aJob(1, { demands: ['gpu'] })], now });

test('the default schedule holds 30 s, doubling per consecutive failure, capped at 10 min', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map((n) => holdSeconds(n, S)), [30, 60, 120, 240, 480, 600, 600, 600]);
  assert.deepEqual([1, 2, 3, 4].map((n) => holdSeconds(n, { initialSeconds: 1.5, maxSeconds: 4 })), [1.5, 3, 4, 4]);
});

test('README figure: a spec whose every pod fails starts at most 5 batches in 10 minutes with the default schedule (so at most 10 commits for one pending job)', () => {
  assert.equal(maxBatchesWithin(600, S), 5);
  assert.equal(maxBatchesWithin(29, S), 1);
  assert.equal(maxBatchesWithin(30, S), 2);
  // From then on one batch per 10 min.
  assert.equal(maxBatchesWithin(3600, S), 5 + Math.floor((3600 - 930) / 600) + 1);
});

test('a pod waiting in CreateContainerConfigError holds its spec at once, with the kubelet message as the reason', () => {
  const s = step(NO_BACKOFF, failing(configError('gpu-aaaa1')));
  assert.equal(s.started.length, 1);
  const h = s.started[0]!;
  assert.deepEqual(
    { spec: h.specName, pod: h.podName, failures: h.failures, since: h.since, until: h.until, reason: h.reason },
    { spec: 'gpu', pod: 'gpu-aaaa1', failures: 1, since: at(10), until: at(40), reason: 'CreateContainerConfigError: secret "gpu-token" not found' },
  );
  assert.equal(h.revision, gpu.revision);
});

test('a crashed pod holds its spec, and its reason carries the exit code', () => {
  const s = step(NO_BACKOFF, failing(crashed('gpu-aaaa1')));
  assert.equal(s.started[0]!.reason, 'container agent exited with code 3 (Error)');
});

test('pods given up on at a deadline count as failing too', () => {
  const pod = aPod('gpu-aaaa1', { phase: 'Pending', waitingReason: 'ImagePullBackOff', waitingMessage: 'Back-off pulling image "x"' });
  const s = step(NO_BACKOFF, failing(pod, at(11 * 60)));
  assert.equal(s.started[0]!.reason, 'ImagePullBackOff: Back-off pulling image "x"; image not pulled before the image-pull deadline');
  const noPod = observed({ specs: [gpu], manifests: [aManifest(gpu, 'gpu-bbbb2')], pods: [], now: at(11 * 60) });
  assert.match(step(NO_BACKOFF, noPod).started[0]!.reason, /sync deadline/);
});

test('the same failed pod seen again (its removal not pushed yet) is not counted twice', () => {
  const o = failing(configError('gpu-aaaa1'));
  const first = step(NO_BACKOFF, o);
  const again = step(first.state, { ...o, now: at(12) });
  assert.equal(again.started.length, 0);
  assert.deepEqual(again.state.holds.get('gpu'), first.state.holds.get('gpu'));
});

test('consecutive failing pods double the hold up to the cap', () => {
  let state = NO_BACKOFF;
  const holds: number[] = [];
  let now = 0;
  for (let i = 0; i < 8; i++) {
    const s = step(state, failing(configError(`gpu-f${i}`, at(now)), at(now + 5)));
    const h = s.started[0]!;
    holds.push((h.until.getTime() - h.since.getTime()) / 1000);
    assert.equal(h.failures, i + 1);
    state = s.state;
    now = (h.until.getTime() - at(0).getTime()) / 1000;
  }
  assert.deepEqual(holds, [30, 60, 120, 240, 480, 600, 600, 600]);
});

test('pods started before the hold began are the batch that caused it: no further step', () => {
  const first = step(NO_BACKOFF, failing(configError('gpu-aaaa1', at(0)), at(10)));
  const sibling = observed({ specs: [gpu], manifests: [aManifest(gpu, 'gpu-bbbb2', { createdAt: at(0) })], pods: [crashed('gpu-bbbb2', at(0))], now: at(12) });
  const s = step(first.state, sibling);
  assert.equal(s.started.length, 0);
  assert.equal(s.state.holds.get('gpu')!.failures, 1);
});

test('a pod of the spec whose agent takes a job ends the hold and resets the count', () => {
  const held = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const b = busyOf(gpu, 'gpu-cccc3', 7, { createdAt: at(50) });
  const s = step(held, world([b], { specs: [gpu], now: at(60) }));
  assert.deepEqual(s.reset, ['gpu']);
  assert.equal(s.state.holds.has('gpu'), false);
  // The next failure starts the schedule over.
  const again = step(s.state, failing(configError('gpu-dddd4', at(70)), at(80)));
  assert.equal(again.started[0]!.failures, 1);
});

test('a pod that Succeeded (a --once agent exits 0 only after its job) ends the hold', () => {
  const held = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const done = observed({ specs: [gpu], manifests: [aManifest(gpu, 'gpu-cccc3', { createdAt: at(50) })], pods: [aPod('gpu-cccc3', { phase: 'Succeeded' })], now: at(60) });
  assert.deepEqual(step(held, done).reset, ['gpu']);
});

test('a busy agent resets once: failures after it count up again while it keeps running', () => {
  let state = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const b = busyOf(gpu, 'gpu-cccc3', 7, { createdAt: at(5) });
  state = step(state, world([b], { specs: [gpu], now: at(20) })).state;
  const f1 = aManifest(gpu, 'gpu-f1', { createdAt: at(30) });
  const s1 = step(state, world([b, { manifest: f1, pod: configError('gpu-f1', at(30)), agent: undefined }], { specs: [gpu], now: at(40) }));
  assert.equal(s1.started[0]!.failures, 1);
  const f2 = aManifest(gpu, 'gpu-f2', { createdAt: at(80) });
  const s2 = step(s1.state, world([b, { manifest: f2, pod: configError('gpu-f2', at(80)), agent: undefined }], { specs: [gpu], now: at(90) }));
  assert.equal(s2.started[0]!.failures, 2, 'the busy pod, judged already, does not reset again');
});

test('a pod that ran a job and then Failed is a failed job, not a failing pod', () => {
  const b = busyOf(gpu, 'gpu-cccc3', 7);
  const seenBusy = step(NO_BACKOFF, world([b], { specs: [gpu], now: at(10) }));
  const failedAfter = observed({ specs: [gpu], manifests: [b.manifest], pods: [crashed('gpu-cccc3')], now: at(20) });
  assert.equal(step(seenBusy.state, failedAfter).started.length, 0);
});

test('a pod killed while its agent is listed on a job, never seen busy before, took a job: no hold', () => {
  const b = busyOf(gpu, 'gpu-cccc3', 7);
  const killed = aPod('gpu-cccc3', { phase: 'Failed', terminated: { container: 'agent', exitCode: 137, reason: 'OOMKilled', message: undefined } });
  const s = step(NO_BACKOFF, world([{ ...b, pod: killed }], { specs: [gpu], now: at(20) }));
  assert.deepEqual([s.started.length, s.state.holds.size], [0, 0]);
});

test('an agent listed with a completed request ran a job: the hold ends though no pass saw it busy nor its pod finish', () => {
  const held = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const b = busyOf(gpu, 'gpu-cccc3', 7);
  const done = { ...b, agent: { ...b.agent!, assignedRequestId: undefined, status: 'offline' as const, lastCompletedRequestId: 7 } };
  const s = step(held, world([done], { specs: [gpu], now: at(60) }));
  assert.deepEqual(s.reset, ['gpu']);
  assert.equal(s.state.holds.size, 0);
});

test('a new spec revision ends the hold; a failing pod of an older revision does not hold the new one', () => {
  const held = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const fixed = aSpec('gpu', { capabilities: ['gpu'], maxAgents: 1, tokenSecretRef: { name: 'gpu-token-2', key: 'token' } });
  assert.notEqual(fixed.revision, gpu.revision);
  const oldPod = aManifest(fixed, 'gpu-bbbb2', { revision: gpu.revision, createdAt: at(20) });
  const s = step(held, observed({ specs: [fixed], manifests: [oldPod], pods: [crashed('gpu-bbbb2', at(20))], now: at(30) }));
  assert.deepEqual(s.reset, ['gpu']);
  assert.equal(s.started.length, 0);
  assert.equal(s.state.holds.size, 0);
});

test('a hold of a spec that is gone ends', () => {
  const held = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state;
  const s = step(held, observed({ specs: [linux], now: at(20) }));
  assert.deepEqual(s.reset, ['gpu']);
  assert.equal(s.state.holds.size, 0);
});

test('scale-down, deletion outside git and unobserved pods are not failures', () => {
  const deleted = observed({ specs: [gpu], manifests: [aManifest(gpu, 'gpu-aaaa1')], agents: [busyAgent('gpu-zzzz9', 1)], pods: [], now: at(10) });
  assert.equal(step(NO_BACKOFF, { ...deleted, agents: [{ ...deleted.agents[0]!, name: 'gpu-aaaa1', assignedRequestId: undefined }] }).started.length, 0);
  assert.equal(step(NO_BACKOFF, { ...failing(configError('gpu-aaaa1')), pods: undefined }).started.length, 0);
});

test('judgements are forgotten once their manifests are gone', () => {
  const s = step(NO_BACKOFF, failing(configError('gpu-aaaa1')));
  assert.equal(s.state.judged.get('gpu-aaaa1'), 'failed');
  const later = step(s.state, observed({ specs: [gpu], now: at(20) }));
  assert.equal(later.state.judged.size, 0);
  assert.equal(later.state.holds.get('gpu')!.failures, 1, 'the count stays for the next step');
});

test('activeHold applies only before `until` and only to the revision that failed', () => {
  const h = step(NO_BACKOFF, failing(configError('gpu-aaaa1'))).state.holds;
  assert.ok(activeHold(h, gpu, at(39)));
  assert.equal(activeHold(h, gpu, at(40)), undefined);
  assert.equal(activeHold(h, { name: 'gpu', revision: 'other' }, at(20)), undefined);
  assert.equal(activeHold(undefined, gpu, at(20)), undefined);
});

test('plan: a held spec gets no new pod; its failing pod is still removed, its pending job still reported, other specs still scale', () => {
  const o = observed({
    specs: [gpu, linux],
    manifests: [aManifest(gpu, 'gpu-aaaa1')],
    pods: [configError('gpu-aaaa1')],
    pendingJobs: [aJob(1, { demands: ['gpu'] }), aJob(2, { demands: ['linux'] })],
    now: at(10),
    globalMaxAgents: 1,
  });
  const holds = step(NO_BACKOFF, o).state.holds;
  const p = plan(o, { nameSeed: 's', holds });
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason]), [['gpu-aaaa1', 'pod-start-error']]);
  assert.deepEqual(p.add.map((a) => a.specName), ['linux'], 'the held spec leaves the global room to others');
  const g = p.summaries.find((s) => s.specName === 'gpu')!;
  assert.equal(g.pendingJobs, 1);
  assert.equal(g.heldUntil, at(40).toISOString());
  assert.equal(g.holdReason, 'gpu-aaaa1: CreateContainerConfigError: secret "gpu-token" not found');
  assert.equal(p.summaries.find((s) => s.specName === 'linux')!.heldUntil, undefined);
  // Without the hold, the old behaviour: the failing pod is replaced in the same commit.
  assert.deepEqual(plan(o, { nameSeed: 's' }).add.map((a) => a.specName).sort(), ['gpu']);
});

test('plan: a held spec keeps its busy and idle agents and still scales down', () => {
  const b = busyOf(gpu, 'gpu-cccc3', 9);
  const o = world([b], { specs: [aSpec('gpu', { capabilities: ['gpu'], maxAgents: 3 })], pendingJobs: [aJob(1, { demands: ['gpu'] })], now: at(10) });
  const spec = o.specs[0]!;
  const holds = new Map([['gpu', { specName: 'gpu', revision: spec.revision, failures: 1, since: at(0), until: at(30), podName: 'gpu-aaaa1', reason: 'x' }]]);
  const p = plan(o, { nameSeed: 's', holds });
  assert.deepEqual(p.add, []);
  assert.deepEqual(p.remove, []);
  assert.equal(p.summaries[0]!.busy, 1);
  assert.deepEqual(plan({ ...o, now: at(30) }, { nameSeed: 's', holds }).add.map((a) => a.reason), ['pending-jobs'], 'the first pass at or after the hold ends adds pods');
});

test('simulated 10 minutes, default schedule, one pending job, every pod failing at once: commits within the README bound', () => {
  // Passes every 15 s; a pod fails as soon as it exists (a missing Secret): the worst case.
  let manifests: Manifest[] = [];
  let state = NO_BACKOFF;
  let commits = 0;
  let pods = 0;
  for (let t = 0; t <= 600; t += 15) {
    const o = observed({ specs: [gpu], manifests, pods: manifests.map((m) => configError(m.podName, m.createdAt)), pendingJobs: [aJob(1, { demands: ['gpu'] })], now: at(t) });
    const s = step(state, o);
    state = s.state;
    const p = plan(o, { nameSeed: `pass-${t}`, holds: state.holds });
    if (p.add.length + p.remove.length > 0) commits++;
    pods += p.add.length;
    const gone = new Set(p.remove.map((r) => r.podName));
    manifests = [...manifests.filter((m) => !gone.has(m.podName)), ...p.add.map((a) => aManifest(gpu, a.podName, { createdAt: at(t) }))];
  }
  assert.ok(pods <= maxBatchesWithin(600, S), `${pods} pods`);
  assert.ok(commits <= 2 * maxBatchesWithin(600, S), `${commits} commits`);
  assert.equal(pods, 5);
});
