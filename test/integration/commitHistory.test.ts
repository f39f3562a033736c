// Reading the cluster repo's history from a clone: a shallow clone (as CI or an operator makes)
// is deepened from its origin over real HTTP as far as the window reaches, and the pods committed
// before the window are read from the commit just before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GitRepo, formatCommitMessage } from '../../reconciler/gitops/index.ts';
import { readCommitHistory } from '../../reconciler/gitops/commitHistory.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';
import { manifestPath } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import { aSpec } from '../helpers/fixtures.ts';
import { repoOptionsFor, useSeededGitServer } from '../helpers/gitServer.ts';

const fx = useSeededGitServer();
const linux = aSpec('linux');
const empty: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };
const T = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
const pod = (name: string, jobs: number[]) => ({ path: manifestPath('agents', 'linux', name), content: renderPod(linux, name, { orgUrl: 'https://dev.azure.com/o', createdAt: T(0), jobRequestIds: jobs }) });

// Three scaling commits an hour apart: a standby pod at 10:00, a pod for job 5 at 11:00, the
// standby pod removed at 12:00 having run job 5.
let seeded: Promise<void> | undefined;
const seed = (): Promise<void> => (seeded ??= pushScalingCommits());
async function pushScalingCommits(): Promise<void> {
  const repo = await GitRepo.open(repoOptionsFor(fx));
  let tip = await repo.fetchTip();
  const steps: [Date, Plan, { path: string; content: string | null }[]][] = [
    [T(10), { ...empty, add: [{ podName: 'linux-s1', specName: 'linux', reason: 'standby', jobRequestIds: [] }] }, [pod('linux-s1', [])]],
    [T(11), { ...empty, add: [{ podName: 'linux-j1', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [5] }] }, [pod('linux-j1', [5])]],
    [T(12), { ...empty, remove: [{ path: manifestPath('agents', 'linux', 'linux-s1'), podName: 'linux-s1', specName: 'linux', reason: 'pod-succeeded', agentId: undefined, ranJobRequestId: 5 }] }, [{ path: manifestPath('agents', 'linux', 'linux-s1'), content: null }]],
  ];
  for (const [at, plan, changes] of steps) {
    const oid = await repo.commitChanges(tip, changes, formatCommitMessage(plan, at.toISOString()), at);
    assert.ok(oid);
    await repo.push(oid);
    tip = oid;
  }
}

const shallowClone = async (name: string) => {
  await seed();
  const dir = path.join(fx.tmp, name);
  await fx.gitCli(['clone', '--quiet', '--depth', '1', '-b', fx.branch, fx.repoUrl, dir]);
  assert.ok(existsSync(path.join(dir, '.git/shallow')), 'a shallow clone');
  return dir;
};
const auth = () => ({ username: fx.username, token: fx.token });

test('the whole history of a depth-1 clone: deepened to the root, every commit read', async () => {
  const dir = await shallowClone('whole');
  const h = await readCommitHistory(dir, { since: undefined, agentsPath: 'agents', auth: auth() });
  assert.equal(h.deepened, true);
  assert.equal(h.truncated, undefined);
  assert.deepEqual(h.commits.slice(-3).map((c) => c.time.toISOString()), [T(10), T(11), T(12)].map((d) => d.toISOString()));
  assert.deepEqual(h.baselinePods, [], 'nothing before the root');
  const shallow = path.join(dir, '.git/shallow');
  assert.ok(!existsSync(shallow) || readFileSync(shallow, 'utf8').trim() === '', 'no longer shallow');
});

test('a window from 10:30: deepened one commit past it, whose pods start the window', async () => {
  const dir = await shallowClone('window');
  const h = await readCommitHistory(dir, { since: new Date(Date.UTC(2026, 0, 1, 10, 30)), agentsPath: 'agents', auth: auth() });
  assert.equal(h.deepened, true);
  assert.deepEqual(h.commits.map((c) => c.time.toISOString()), [T(11), T(12)].map((d) => d.toISOString()));
  assert.deepEqual(h.baselinePods.map((f) => f.path), ['agents/pods/linux/linux-s1.yaml'], 'the standby pod committed at 10:00');
  assert.equal(h.start.toISOString(), '2026-01-01T10:30:00.000Z');
});

test('a shallow clone that cannot be deepened says where it ends and starts from its oldest commit', async () => {
  await seed();
  const dir = path.join(fx.tmp, 'local');
  const source = await fx.cloneTo();
  await fx.gitCli(['clone', '--quiet', '--depth', '2', `file://${source}`, dir]);
  const h = await readCommitHistory(dir, { since: undefined, agentsPath: 'agents' });
  assert.equal(h.deepened, false, 'no http(s) origin to deepen from');
  assert.match(h.truncated ?? '', /^the clone ends at \w{8} \(2026-01-01T11:00:00.000Z\); deepen it/);
  assert.deepEqual(h.commits.map((c) => c.time.toISOString()), [T(12).toISOString()]);
  assert.deepEqual(h.baselinePods.map((f) => f.path), ['agents/pods/linux/linux-j1.yaml', 'agents/pods/linux/linux-s1.yaml']);
});

test('a directory that is not a clone is an input error naming what to do', async () => {
  await assert.rejects(readCommitHistory(fx.tmp, { since: undefined, agentsPath: 'agents' }), /is not a git clone of the cluster repo; clone it/);
});
