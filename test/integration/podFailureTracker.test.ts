// The tracker keeps the backoff state in a file (STATE_DIR), so a restarted process resumes its holds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodFailureTracker } from '../../reconciler/loop/podFailureTracker.ts';
import { aJob, aManifest, aPod, aSpec, at, observed } from '../helpers/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'azdo-gitops-tracker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const gpu = aSpec('gpu', { capabilities: ['gpu'], maxAgents: 1 });
const failing = observed({
  specs: [gpu],
  manifests: [aManifest(gpu, 'gpu-aaaa1')],
  pods: [aPod('gpu-aaaa1', { phase: 'Pending', waitingReason: 'CreateContainerConfigError', waitingMessage: 'secret "x" not found' })],
  pendingJobs: [aJob(1, { demands: ['gpu'] })],
  now: at(10),
});
const schedule = { initialSeconds: 30, maxSeconds: 600 };

test('a restarted tracker resumes the holds and does not count the same pod again', () => {
  const file = join(dir, 'a', 'pod-failure-backoff.json');
  const first = new PodFailureTracker(schedule, file).advance(failing);
  assert.equal(first.started.length, 1);
  const resumed = new PodFailureTracker(schedule, file).advance({ ...failing, now: at(12) });
  assert.equal(resumed.started.length, 0, 'the pod was judged before the restart');
  assert.deepEqual(resumed.state.holds.get('gpu')?.until, at(40));
});

test('a dry run computes the holds but remembers nothing', () => {
  const file = join(dir, 'b.json');
  const t = new PodFailureTracker(schedule, file);
  assert.equal(t.advance(failing, false).started.length, 1);
  assert.throws(() => readFileSync(file), /ENOENT/);
  assert.equal(t.advance(failing).started.length, 1, 'the dry run left the tracker as it was');
});

test('an unreadable or foreign file is a fresh start', () => {
  const file = join(dir, 'c.json');
  writeFileSync(file, '{"holds": [{"specName": 3}]');
  assert.equal(new PodFailureTracker(schedule, file).advance(failing).started[0]!.failures, 1);
  writeFileSync(file, '{"holds": [{"specName": "gpu", "failures": "x", "until": "nope"}], "judged": []}');
  assert.equal(new PodFailureTracker(schedule, file).advance(failing).started[0]!.failures, 1);
});
