// What a read of an agent's capabilities said is kept for that registration only (pool, id, name,
// creation time), dropped once the agent is not listed, and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentCapabilityCache } from '../../reconciler/azdo/agentCapabilityCache.ts';
import { anAgent, minutes } from '../helpers/fixtures.ts';

const read = anAgent('linux-abc12', { id: 7, specMarker: 'linux', userCapabilities: { docker: 'true' } });

test('an entry answers for the same registration only', () => {
  const c = new AgentCapabilityCache();
  c.remember(read);
  const listedLean = { ...read, specMarker: undefined, capabilitiesRead: false };
  assert.deepEqual(c.get(listedLean), { specMarker: 'linux', userCapabilities: { docker: 'true' } });
  assert.equal(c.get({ ...read, createdOn: minutes(5) }), undefined, 'registered again: another creation time');
  assert.equal(c.get({ ...read, name: 'other' }), undefined, 'another name on the id');
  assert.equal(c.get({ ...read, poolName: 'elsewhere' }), undefined, 'another pool');
  assert.equal(c.get({ ...read, id: 8 }), undefined);
});

test('a lean read teaches nothing; entries of agents no longer listed (or listed as another registration) go', () => {
  const c = new AgentCapabilityCache();
  c.remember({ ...read, capabilitiesRead: false });
  assert.equal(c.size, 0);
  const other = anAgent('build-vm', { id: 9, specMarker: undefined });
  c.remember(read);
  c.remember(other);
  c.retain([other, { ...read, createdOn: minutes(5) }]);
  assert.equal(c.size, 1);
  assert.ok(c.get(other));
  c.retain([]);
  assert.equal(c.size, 0);
});

test('past its bound nothing new is kept; known entries still update', () => {
  const c = new AgentCapabilityCache(2);
  c.remember(read);
  c.remember(anAgent('b', { id: 2 }));
  c.remember(anAgent('c', { id: 3 }));
  assert.equal(c.size, 2);
  assert.equal(c.get(anAgent('c', { id: 3 })), undefined);
  c.remember({ ...read, specMarker: 'docker' });
  assert.equal(c.get(read)?.specMarker, 'docker');
});
