import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observedAfterDrain } from '../../reconciler/plan/drainOutcome.ts';
import { aJob, busyAgent, idleAgent, observed } from '../helpers/fixtures.ts';

test('after the drain an agent confirmed idle is disabled, one that took a job is busy with it, others are as observed', () => {
  const before = observed({
    agents: [idleAgent('linux-aaaaaa', { id: 1 }), idleAgent('linux-bbbbbb', { id: 2 }), idleAgent('linux-cccccc', { id: 3 }), busyAgent('linux-dddddd', 9, { id: 4 })],
    pendingJobs: [aJob(7)],
  });
  const after = observedAfterDrain(before, { confirmedIdle: new Set(['linux-aaaaaa']), tookAJob: [{ agent: 'linux-bbbbbb', requestId: 7 }] });
  const byName = new Map(after.agents.map((a) => [a.name, a]));
  assert.deepEqual([byName.get('linux-aaaaaa')?.enabled, byName.get('linux-aaaaaa')?.assignedRequestId], [false, undefined]);
  assert.deepEqual([byName.get('linux-bbbbbb')?.enabled, byName.get('linux-bbbbbb')?.assignedRequestId], [false, 7]);
  assert.equal(byName.get('linux-cccccc'), before.agents[2]);
  assert.equal(byName.get('linux-dddddd'), before.agents[3]);
  // Only the agents change: the rest of the observation is the same data.
  assert.deepEqual({ ...after, agents: before.agents }, before);
  assert.equal(before.agents[0]!.enabled, true, 'the observation it started from is not modified');
});
