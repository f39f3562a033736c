// The syncer's plan without an API server: what the sandbox's syncer and the simulator's cluster
// both run for one sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestObject, ObjectRef } from '../../sandbox/cluster/syncer/objects.ts';
import {
  applySteps,
  desiredObjects,
  inventoryAfterFailedApply,
  metadataPatch,
  pruneAction,
  pruneCandidates,
  replaceBody,
  type LiveRead,
} from '../../sandbox/cluster/syncer/syncPlan.ts';

const target = { namespace: 'agents', name: 'azdo-gitops-agents' };
const pod = (name: string, image = 'agent:1'): ManifestObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'agent', image }] } });
const cm = (name: string, data: Record<string, string> = {}): ManifestObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const ref = (kind: string, name: string): ObjectRef => ({ apiVersion: 'v1', kind, namespace: 'agents', name });

test('desired objects get the namespace and Flux labels, in apply order (config before pods)', () => {
  const { desired, failures } = desiredObjects([pod('b'), cm('sentinel'), pod('a')], target);
  assert.deepEqual(failures, []);
  assert.deepEqual(desired.map((o) => `${o.kind}/${o.metadata.name}`), ['ConfigMap/sentinel', 'Pod/a', 'Pod/b']);
  assert.deepEqual(desired[1]!.metadata.labels, { 'kustomize.toolkit.fluxcd.io/name': 'azdo-gitops-agents', 'kustomize.toolkit.fluxcd.io/namespace': 'agents' });
  assert.equal(desired[1]!.metadata.namespace, 'agents');
});

test('an invalid document or a duplicate fails the whole set, each named', () => {
  const { failures } = desiredObjects([pod('a'), pod('a'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'x', image: 'i' }] } }], target);
  assert.equal(failures.length, 2);
  assert.match(failures[0]!, /^Pod\/agents\/a dry-run failed: duplicate object/);
  assert.match(failures[1]!, /^Pod\/Bad_Name dry-run failed \(Invalid\): metadata\.name: Invalid value/);
});

test('against the live objects: create what is missing, patch only a pod\'s labels, replace changed config, leave the rest', () => {
  const { desired } = desiredObjects([pod('new'), pod('same'), pod('relabelled'), cm('changed', { a: '2' }), cm('unchanged', { a: '1' })], target);
  const live = new Map<string, LiveRead>();
  const withLabels = (o: ManifestObject, labels: Record<string, string>): ManifestObject => ({ ...o, metadata: { ...o.metadata, namespace: 'agents', labels } });
  const flux = desired[2]!.metadata.labels!;
  live.set('Pod/agents/same', { object: withLabels(pod('same'), flux) });
  live.set('Pod/agents/relabelled', { object: withLabels(pod('relabelled'), {}) });
  live.set('ConfigMap/agents/changed', { object: withLabels(cm('changed', { a: '1' }), flux) });
  live.set('ConfigMap/agents/unchanged', { object: withLabels(cm('unchanged', { a: '1' }), flux) });
  const { steps, failures } = applySteps(desired, live, 'agents');
  assert.deepEqual(failures, []);
  assert.deepEqual(steps.map((s) => `${s.kind} ${s.obj.metadata.name}`), ['replace changed', 'none unchanged', 'create new', 'patch-metadata relabelled', 'none same']);
});

test('a pod whose spec changed under the same name fails the set with Kubernetes\' message; a read error fails it too', () => {
  const { desired } = desiredObjects([pod('a', 'agent:2'), { apiVersion: 'x.io/v1', kind: 'Widget', metadata: { name: 'w' } }], target);
  const live = new Map<string, LiveRead>([
    ['Pod/agents/a', { object: { ...pod('a', 'agent:1'), metadata: { name: 'a', namespace: 'agents' } } }],
    ['Widget/agents/w', { readError: '404 Unrecognized API version and kind' }],
  ]);
  const { failures } = applySteps(desired, live, 'agents');
  assert.deepEqual(failures, [
    'Widget/agents/w dry-run failed: no matches for kind "Widget" in version "x.io/v1"',
    `Pod/agents/a dry-run failed (Invalid): Pod "a" is invalid: spec: Forbidden: pod updates may not change fields other than \`spec.containers[*].image\`,\`spec.initContainers[*].image\`,\`spec.activeDeadlineSeconds\`,\`spec.tolerations\` (only additions to existing tolerations),\`spec.terminationGracePeriodSeconds\` (allow it to be set to 1 if it was previously negative)`,
  ]);
});

test('the bodies of a label patch and a replace: git\'s metadata on the live version, others\' labels kept', () => {
  const obj = cm('c', { a: '2' });
  obj.metadata.labels = { mine: '1' };
  const live = { ...cm('c', { a: '1' }), metadata: { name: 'c', resourceVersion: '7', labels: { theirs: 'x', mine: '0' } } };
  const body = replaceBody({ kind: 'replace', obj, live });
  assert.equal(body.metadata.resourceVersion, '7');
  assert.deepEqual(body.metadata.labels, { theirs: 'x', mine: '1' });
  assert.deepEqual(body.data, { a: '2' });
  assert.deepEqual(metadataPatch(obj, 'agents').metadata, { name: 'c', namespace: 'agents', labels: { mine: '1' }, annotations: {} });
});

test('prune: only what the inventory holds and this sync did not apply; an opted-out object stays', () => {
  const previous = [ref('Pod', 'a'), ref('Pod', 'b'), ref('ConfigMap', 'sentinel')];
  const applied = [ref('ConfigMap', 'sentinel'), ref('Pod', 'c')];
  assert.deepEqual(pruneCandidates(previous, applied), [ref('Pod', 'a'), ref('Pod', 'b')]);
  assert.equal(pruneAction(null), 'gone');
  assert.equal(pruneAction(pod('a')), 'delete');
  assert.equal(pruneAction({ ...pod('a'), metadata: { name: 'a', annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } }), 'prune-disabled');
  assert.deepEqual(inventoryAfterFailedApply(previous, applied).map((r) => r.name), ['a', 'b', 'sentinel', 'c']);
});
