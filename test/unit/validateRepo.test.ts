import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateClusterRepo } from '../../reconciler/manifests/validateRepo.ts';
import { renderKustomization, renderSentinel } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import { aSpec, T0 } from '../helpers/fixtures.ts';

const spec = 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata: {name: linux}\nspec:\n  pool: p\n  maxAgents: 2\n  templateFile: templates/agent.yaml\n  tokenSecretRef: {name: s, key: k}\n';
const pod = renderPod(aSpec('linux'), 'linux-abc12', { orgUrl: 'https://x', createdAt: T0, jobRequestIds: [] });
const good: Record<string, string> = {
  'agentspecs/linux.yaml': spec,
  'templates/agent.yaml': 'spec:\n  containers: [{name: agent, image: i}]\n',
  'agents/kustomization.yaml': renderKustomization(['pods/linux/linux-abc12.yaml']),
  'agents/sentinel.yaml': renderSentinel('azdo-agents'),
  'agents/pods/linux/linux-abc12.yaml': pod,
  'README.md': '# repo\n',
};
const files = (o: Record<string, string>) => Object.entries(o).map(([path, content]) => ({ path, content }));

test('a consistent cluster repo validates clean', () => {
  assert.deepEqual(validateClusterRepo(files(good)), []);
});

test('a repo with specs but no agents directory yet is valid', () => {
  const { 'agents/kustomization.yaml': _k, 'agents/sentinel.yaml': _s, 'agents/pods/linux/linux-abc12.yaml': _p, ...rest } = good;
  assert.deepEqual(validateClusterRepo(files(rest)), []);
});

test('spec errors are reported', () => {
  const errs = validateClusterRepo(files({ ...good, 'agentspecs/linux.yaml': spec.replace('maxAgents: 2', 'maxAgents: two') }));
  assert.deepEqual(errs.map((e) => `${e.file} ${e.field}`), ['agentspecs/linux.yaml spec.maxAgents']);
});

test('a broken pod manifest is reported', () => {
  const errs = validateClusterRepo(files({ ...good, 'agents/pods/linux/linux-abc12.yaml': 'kind: Pod\n' }));
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.file, 'agents/pods/linux/linux-abc12.yaml');
});

test('a kustomization that misses a pod file or lists a missing one is reported', () => {
  const missing = validateClusterRepo(files({ ...good, 'agents/kustomization.yaml': renderKustomization([]) }));
  assert.deepEqual(missing.map((e) => e.message), ['does not list pods/linux/linux-abc12.yaml']);
  const extra = validateClusterRepo(files({ ...good, 'agents/kustomization.yaml': renderKustomization(['pods/linux/linux-abc12.yaml', 'pods/linux/gone.yaml']) }));
  assert.deepEqual(extra.map((e) => e.message), ['lists pods/linux/gone.yaml, which is not a pod file in the repo']);
  const noSentinel = validateClusterRepo(files({ ...good, 'agents/kustomization.yaml': 'resources: [pods/linux/linux-abc12.yaml]\n' }));
  assert.deepEqual(noSentinel.map((e) => e.message), ['does not list sentinel.yaml']);
});

test('a missing kustomization or sentinel is reported', () => {
  const { 'agents/kustomization.yaml': _k, ...noKust } = good;
  assert.match(validateClusterRepo(files(noKust))[0]!.file, /kustomization.yaml$/);
  const { 'agents/sentinel.yaml': _s, ...noSentinel } = good;
  assert.deepEqual(validateClusterRepo(files(noSentinel)).map((e) => e.file), ['agents/sentinel.yaml']);
});

test('a kustomization without a resources list is reported', () => {
  const errs = validateClusterRepo(files({ ...good, 'agents/kustomization.yaml': 'kind: Kustomization\n' }));
  assert.equal(errs[0]!.field, 'resources');
});

test('a file in the wrong place under pods/ is reported', () => {
  const errs = validateClusterRepo(files({ ...good, 'agents/pods/stray.yaml': pod }));
  assert.ok(errs.some((e) => e.file === 'agents/pods/stray.yaml'));
});

test('custom layout paths are honoured', () => {
  const moved: Record<string, string> = {};
  for (const [k, v] of Object.entries(good)) moved[k.replace(/^agents\//, 'clusters/prod/agents/').replace(/^agentspecs\//, 'specs/')] = v;
  assert.deepEqual(validateClusterRepo(files(moved), { specsPath: 'specs', agentsPath: 'clusters/prod/agents', templatesPath: 'templates' }), []);
});
