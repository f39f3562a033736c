import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignJobs, chooseSpec } from '../../reconciler/plan/assignJobs.ts';
import { pendingJobs } from '../../reconciler/plan/pending.ts';
import { aJob, aSpec, anAgent, at } from '../helpers/fixtures.ts';

const plain = aSpec('plain');
const docker = aSpec('docker', { capabilities: ['docker'] });
const dockerJava = aSpec('docker-java', { capabilities: ['docker', 'java=17'] });
const other = aSpec('other', { pool: 'other-pool' });
const specs = [dockerJava, docker, plain, other];

test('a job goes to exactly one spec: the matching one with the fewest capabilities', () => {
  const c = chooseSpec(aJob(1, { demands: ['docker'] }), specs);
  assert.ok('spec' in c);
  assert.equal(c.spec.name, 'docker');
});

test('a job with no demands goes only to the simplest spec of its pool, not to every spec', () => {
  const { bySpec } = assignJobs([aJob(1)], specs);
  assert.deepEqual([...bySpec.keys()], ['plain']);
});

test('ties on capability count are broken by spec name', () => {
  const a = aSpec('b-spec', { capabilities: ['x'] });
  const b = aSpec('a-spec', { capabilities: ['y'] });
  const c = chooseSpec(aJob(1), [a, b]);
  assert.ok('spec' in c && c.spec.name === 'a-spec');
});

test('only specs of the job pool are candidates (pool names are case-insensitive)', () => {
  const c = chooseSpec(aJob(1, { poolName: 'OTHER-POOL' }), specs);
  assert.ok('spec' in c && c.spec.name === 'other');
});

test('a job for a pool no spec serves is unmatched with the reason', () => {
  const { bySpec, unmatched } = assignJobs([aJob(1, { poolName: 'nope' })], specs);
  assert.equal(bySpec.size, 0);
  assert.deepEqual(unmatched, [{ requestId: 1, poolName: 'nope', demands: [], reason: 'no AgentSpec serves pool "nope"' }]);
});

test('a job whose demands no spec meets is unmatched, naming what each spec lacks', () => {
  const { unmatched } = assignJobs([aJob(7, { demands: ['java -equals 21'] })], specs);
  assert.equal(unmatched.length, 1);
  assert.match(unmatched[0]!.reason, /docker-java lacks "java -equals 21"/);
  assert.match(unmatched[0]!.reason, /plain lacks/);
});

test('jobs per spec are ordered oldest first', () => {
  const { bySpec } = assignJobs([aJob(3, { queueTime: at(5) }), aJob(2, { queueTime: at(9) }), aJob(1, { queueTime: at(5) })], [plain]);
  assert.deepEqual(bySpec.get('plain')!.map((j) => j.requestId), [1, 3, 2]);
});

test('a cancelled request never counts as pending', () => {
  assert.deepEqual(pendingJobs([aJob(1, { result: 'canceled', finishTime: at(3) })], []), []);
});

test('a finished request never counts as pending', () => {
  assert.deepEqual(pendingJobs([aJob(1, { result: 'succeeded', finishTime: at(3) }), aJob(2, { finishTime: at(3) })], []), []);
});

test('an assigned or running request is not pending', () => {
  assert.deepEqual(pendingJobs([aJob(1, { assignTime: at(1) }), aJob(2, { reservedAgentId: 5 }), aJob(3, { receiveTime: at(2) })], []), []);
});

test('a job already running on an agent is not counted again', () => {
  assert.deepEqual(pendingJobs([aJob(1), aJob(2)], [anAgent('linux-abc12', { assignedRequestId: 1 })]).map((j) => j.requestId), [2]);
});

test('a request listed twice counts once', () => {
  assert.deepEqual(pendingJobs([aJob(1), aJob(1)], []).map((j) => j.requestId), [1]);
});
