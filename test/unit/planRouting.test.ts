// Which spec a job counts for when several can run it: spare agents first, then room under the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../reconciler/plan/plan.ts';
import { aJob, aSpec, idleOf, startingOf, world } from '../helpers/fixtures.ts';

const opts = { nameSeed: 'pass-1' };
const linux = aSpec('linux', { standby: 1 });
const docker = aSpec('docker', { capabilities: ['docker'] });
const added = (p: ReturnType<typeof plan>) => p.add.map((a) => `${a.specName}:${a.reason === 'pending-jobs' ? a.jobRequestIds.join(',') : a.reason}`).sort();
const removed = (p: ReturnType<typeof plan>) => p.remove.map((r) => `${r.podName}:${r.reason}`);

test('a job that runs anywhere counts for another spec\'s spare idle agent: nothing added, nothing scaled down', () => {
  const p = plan(world([idleOf(linux, 'linux-standby'), idleOf(docker, 'docker-spare')], { specs: [linux, docker], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(added(p), []);
  assert.deepEqual(removed(p), []);
});

test('a standby agent is not spare: the job counts for its spec, which adds a replacement standby', () => {
  const p = plan(world([idleOf(linux, 'linux-standby')], { specs: [linux, docker], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(added(p), ['linux:standby']);
});

test('a job that needs a spec claims its spare agent before an older job that runs anywhere', () => {
  const jobs = [aJob(1), aJob(2, { demands: ['docker'] })];
  const p = plan(world([idleOf(linux, 'linux-standby'), idleOf(docker, 'docker-spare')], { specs: [linux, docker], pendingJobs: jobs }), opts);
  assert.deepEqual(added(p), ['linux:standby']);
  assert.deepEqual(removed(p), []);
});

test('a starting pod keeps the job it was started for even when another spec has a spare agent', () => {
  const starting = startingOf(docker, 'docker-start', { jobRequestIds: [1] });
  const p = plan(world([idleOf(linux, 'linux-standby'), idleOf(linux, 'linux-spare'), starting], { specs: [linux, docker], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(added(p), []);
  assert.deepEqual(removed(p), ['linux-spare:scale-down']);
});

test('an idle agent of an old spec revision is not spare: it is rotated and the job goes to the preferred spec', () => {
  const stale = idleOf(docker, 'docker-stale', { revision: 'oldrev0000' });
  const p = plan(world([idleOf(linux, 'linux-standby'), stale], { specs: [linux, docker], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(added(p), ['linux:standby']);
  assert.deepEqual(removed(p), ['docker-stale:scale-down']);
});

test('a job spills over to the next spec that can run it when the preferred one is at maxAgents', () => {
  const small = aSpec('linux', { maxAgents: 1 });
  const p = plan(world([], { specs: [small, docker], pendingJobs: [aJob(1), aJob(2)] }), opts);
  assert.deepEqual(added(p), ['docker:2', 'linux:1']);
  assert.deepEqual(p.summaries.map((s) => s.cappedBy), [0, 0]);
});

test('a job no spec has room for stays with the preferred spec, which reports the cap', () => {
  const small = aSpec('linux', { maxAgents: 1 });
  const tiny = aSpec('docker', { capabilities: ['docker'], maxAgents: 1 });
  const p = plan(world([], { specs: [small, tiny], pendingJobs: [aJob(1), aJob(2), aJob(3)] }), opts);
  assert.deepEqual(added(p), ['docker:2', 'linux:1']);
  assert.equal(p.summaries.find((s) => s.specName === 'linux')!.cappedBy, 1);
});

test('a job only one spec can run never spills over, whatever the caps', () => {
  const tiny = aSpec('docker', { capabilities: ['docker'], maxAgents: 1 });
  const p = plan(world([], { specs: [linux, tiny], pendingJobs: [aJob(1, { demands: ['docker'] }), aJob(2, { demands: ['docker'] })] }), opts);
  assert.deepEqual(added(p).filter((a) => a.startsWith('docker')), ['docker:1']);
  assert.equal(p.summaries.find((s) => s.specName === 'docker')!.cappedBy, 1);
});
