// The reconciler's LeaderElection against the simulated API server: when renewals hang (a
// blackholed server), leadership and its signal end at the renew deadline, well before the
// Lease expires for anyone else; when the server answers again, a new term begins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { LeaderElection } from '../../reconciler/cluster/leaderElection.ts';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { LeaseLostError } from '../../reconciler/errors/leaseLostError.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';

const NS = 'azdo-agents';
const LEASE = 'leader';
// Scaled down from the controller's 15 s / 10 s / 2 s.
const timing = { leaseDurationSeconds: 6, renewDeadlineSeconds: 3, retryPeriodSeconds: 0.5 };
let api: KubeApiServer;
let admin: CoordinationV1Api;
let election: LeaderElection;
const changes: boolean[] = [];

before(async () => {
  api = await startKubeApiServer();
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  admin = kc.makeApiClient(CoordinationV1Api);
  election = new LeaderElection(await loadKubeClient(api.kubeconfigFor('reconciler')), { namespace: NS, leaseName: LEASE, identity: 'replica-a', ...timing }, createLogger({ level: 'error' }));
  election.onChange((leader) => changes.push(leader));
  election.start();
  await eventually('leader', () => election.isLeader(), 5_000, 20);
});
after(async () => {
  await election.stop();
  await api.close();
});

test('renewals that hang end leadership at the renew deadline: the signal aborts then, before the Lease could expire', async () => {
  const signal = election.signal;
  assert.equal(signal.aborted, false);
  let abortedAt: number | undefined;
  signal.addEventListener('abort', () => (abortedAt = Date.now()));

  api.blackhole('reconciler');
  const cutAt = Date.now();
  await eventually('the signal aborted', () => signal.aborted, 10_000, 20);
  const renewTime = new Date((await admin.readNamespacedLease({ name: LEASE, namespace: NS })).spec!.renewTime!).getTime();
  assert.ok(signal.reason instanceof LeaseLostError, String(signal.reason));
  assert.match((signal.reason as Error).message, /not renewed within its 3 s renew deadline/);
  assert.equal(election.isLeader(), false);
  assert.equal(election.signal.aborted, true, 'a pass started now could not write either');
  // Counted from the last renewal written, with a margin for timers; always before the Lease expires.
  assert.ok(abortedAt! - renewTime <= timing.renewDeadlineSeconds * 1000 + 1_000, `aborted ${abortedAt! - renewTime} ms after the last renewal`);
  assert.ok(abortedAt! - renewTime < timing.leaseDurationSeconds * 1000);
  assert.ok(abortedAt! - cutAt <= timing.renewDeadlineSeconds * 1000 + 1_000, `aborted ${abortedAt! - cutAt} ms after the cut`);
  assert.deepEqual(changes, [true, false]);

  api.endBlackhole();
  const backAt = Date.now();
  await eventually('leader again', () => election.isLeader(), 5_000, 20);
  // A hung attempt gives up after twice the retry period; the next one starts at once.
  assert.ok(Date.now() - backAt <= 4 * timing.retryPeriodSeconds * 1000 + 1_000, `leader again after ${Date.now() - backAt} ms`);
  assert.equal(election.signal.aborted, false, 'a new term, with a new signal');
  assert.equal(signal.aborted, true, 'the old term stays ended');
  assert.deepEqual(changes, [true, false, true]);
});

test('another holder seen: leadership ends at the next attempt', async () => {
  const signal = election.signal;
  const lease = await admin.readNamespacedLease({ name: LEASE, namespace: NS });
  // As if our renewals had stopped long enough for replica-b to take over.
  lease.spec = { ...lease.spec, holderIdentity: 'replica-b', renewTime: new V1MicroTime(Date.now()) };
  await admin.replaceNamespacedLease({ name: LEASE, namespace: NS, body: lease });
  await eventually('the signal aborted', () => signal.aborted, 3_000, 20);
  assert.match((signal.reason as Error).message, /held by replica-b/);
  assert.equal(election.isLeader(), false);
});
