// The production LeaderElection against the simulator's Lease in virtual time: one of two
// replicas leads; cut off from the API server, the leader's term ends at its renew deadline,
// before the Lease expires and the other replica takes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElection } from '../../reconciler/cluster/leaderElection.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { electionClock, LeaseModel } from '../../sim/leaseModel.ts';
import { LEASE_TIMING } from '../../sim/reconcilerProcess.ts';
import { Rng } from '../../sim/random.ts';
import { settle, VirtualTime } from '../../sim/virtualTime.ts';

test('a partitioned leader stops at its renew deadline; the other replica leads only once the Lease expired', async () => {
  const start = Date.parse('2026-03-02T08:00:00Z');
  const vt = new VirtualTime(start);
  const lease = new LeaseModel(vt);
  const log = createLogger({ level: 'error', write: () => {} });
  const owners: { dead: boolean }[] = [];
  const replica = (identity: string) => {
    const owner = { dead: false };
    owners.push(owner);
    return new LeaderElection(lease.clientFor(identity, owner, new Rng(identity)), { namespace: 'ns', leaseName: 'l', identity, ...LEASE_TIMING }, log, electionClock(vt, owner));
  };
  const a = replica('a');
  const b = replica('b');
  const run = async (untilMs: number) => {
    for (let ran = vt.step(start + untilMs); ran; ran = vt.step(start + untilMs)) if (ran.async) await settle();
  };
  a.start();
  await run(1_000);
  b.start();
  await run(5_000);
  assert.ok(a.isLeader() && !b.isLeader());
  assert.equal(lease.holder(), 'a');

  const term = a.signal;
  let bLeadsAt: number | undefined;
  b.onChange((leader) => {
    if (leader) bLeadsAt = vt.now();
  });
  const cutAt = vt.now();
  lease.partitionedUntil.set('a', cutAt + 60_000);
  await run(cutAt - start + 9_000);
  assert.ok(a.isLeader() && !term.aborted, 'still leading within the renew deadline');
  await run(cutAt - start + 12_500);
  assert.ok(!a.isLeader() && term.aborted, 'the term ended at the renew deadline');
  assert.equal(bLeadsAt, undefined, 'the Lease has not expired yet');
  await run(cutAt - start + 25_000);
  assert.ok(bLeadsAt !== undefined && b.isLeader() && lease.holder() === 'b');
  assert.ok(bLeadsAt - cutAt > LEASE_TIMING.leaseDurationSeconds * 1000 - LEASE_TIMING.retryPeriodSeconds * 1000, `b took over ${bLeadsAt - cutAt} ms after the cut`);
  // Nothing else happens: the replicas' timers die with them.
  for (const o of owners) o.dead = true;
});
