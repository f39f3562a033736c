import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { fileChanges } from '../../reconciler/manifests/fileChanges.ts';
import type { FileChangeContext } from '../../reconciler/manifests/fileChanges.ts';
import { renderKustomization, renderSentinel } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';
import { UnknownSpecError } from '../../reconciler/manifests/unknownSpecError.ts';
import { aSpec, T0, minutes } from '../helpers/fixtures.ts';

const linux = aSpec('linux');
const emptyPlan: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };
const existingPod = renderPod(linux, 'linux-old01', { orgUrl: 'https://x', createdAt: T0, jobRequestIds: [] });

function ctx(files: Record<string, string>): FileChangeContext {
  return { agentsPath: 'agents', orgUrl: 'https://dev.azure.com/acme', now: minutes(5), specs: [linux], files: new Map(Object.entries(files)), sentinelNamespace: 'azdo-agents' };
}
const settled = {
  'agents/kustomization.yaml': renderKustomization(['pods/linux/linux-old01.yaml']),
  'agents/sentinel.yaml': renderSentinel('azdo-agents'),
  'agents/pods/linux/linux-old01.yaml': existingPod,
};

test('an empty plan on a settled directory changes no file', () => {
  assert.deepEqual(fileChanges(emptyPlan, ctx(settled)), []);
});

test('a first pass on an empty repo writes the kustomization and the sentinel', () => {
  const ch = fileChanges(emptyPlan, ctx({}));
  assert.deepEqual(ch.map((c) => c.path), ['agents/kustomization.yaml', 'agents/sentinel.yaml']);
  assert.deepEqual(parse(ch[0]!.content!).resources, ['sentinel.yaml']);
});

test('adding a pod writes its file and regenerates the kustomization', () => {
  const plan: Plan = { ...emptyPlan, add: [{ podName: 'linux-new01', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [4] }] };
  const ch = fileChanges(plan, ctx(settled));
  assert.deepEqual(ch.map((c) => c.path), ['agents/kustomization.yaml', 'agents/pods/linux/linux-new01.yaml']);
  assert.deepEqual(parse(ch[0]!.content!).resources, ['pods/linux/linux-new01.yaml', 'pods/linux/linux-old01.yaml', 'sentinel.yaml']);
  const pod = parse(ch[1]!.content!);
  assert.equal(pod.metadata.annotations['azdo.gitops.dev/job-requests'], '4');
  assert.equal(pod.metadata.annotations['azdo.gitops.dev/created-at'], minutes(5).toISOString());
});

test('removing the last pod deletes its file and keeps the sentinel listed', () => {
  const plan: Plan = { ...emptyPlan, remove: [{ path: 'agents/pods/linux/linux-old01.yaml', podName: 'linux-old01', specName: 'linux', reason: 'pod-succeeded', agentId: undefined }] };
  const ch = fileChanges(plan, ctx(settled));
  assert.deepEqual(ch, [
    { path: 'agents/kustomization.yaml', content: renderKustomization([]) },
    { path: 'agents/pods/linux/linux-old01.yaml', content: null },
  ]);
});

test('an existing pod file is never rewritten (write-once)', () => {
  const plan: Plan = { ...emptyPlan, add: [{ podName: 'linux-old01', specName: 'linux', reason: 'standby', jobRequestIds: [] }] };
  assert.deepEqual(fileChanges(plan, ctx(settled)), []);
});

test('removing a file that is not there changes nothing', () => {
  const plan: Plan = { ...emptyPlan, remove: [{ path: 'agents/pods/linux/ghost.yaml', podName: 'ghost', specName: 'linux', reason: 'scale-down', agentId: 1 }] };
  assert.deepEqual(fileChanges(plan, ctx(settled)), []);
});

test('a stale kustomization is repaired even by an empty plan', () => {
  const ch = fileChanges(emptyPlan, ctx({ ...settled, 'agents/kustomization.yaml': renderKustomization([]) }));
  assert.deepEqual(ch.map((c) => c.path), ['agents/kustomization.yaml']);
});

test('a plan adding a pod for an unknown spec throws an error that says what to do', () => {
  const plan: Plan = { ...emptyPlan, add: [{ podName: 'x-abc12', specName: 'x', reason: 'standby', jobRequestIds: [] }] };
  assert.throws(() => fileChanges(plan, ctx(settled)), UnknownSpecError);
});

test('the same plan and context give the same files', () => {
  const plan: Plan = { ...emptyPlan, add: [{ podName: 'linux-new01', specName: 'linux', reason: 'standby', jobRequestIds: [] }] };
  assert.deepEqual(fileChanges(plan, ctx(settled)), fileChanges(plan, ctx(settled)));
});
