import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { newPodNames, placeholderName } from '../../reconciler/plan/podNames.ts';
import { agentIgnoreList, renderPod } from '../../reconciler/manifests/renderPod.ts';
import { manifestPath, renderKustomization, renderSentinel } from '../../reconciler/manifests/layout.ts';
import { isSpecError, parseManifest } from '../../reconciler/manifests/parseManifest.ts';
import { isDns1123Label } from '../../reconciler/agentspec/dns1123.ts';
import { aSpec, T0 } from '../helpers/fixtures.ts';

const ctx = { orgUrl: 'https://dev.azure.com/acme', createdAt: T0, jobRequestIds: [12, 7] };

test('new pod names are <prefix>-<suffix>, valid DNS-1123, unique and deterministic from the seed', () => {
  const a = newPodNames('linux', 20, 'seed-1', new Set());
  assert.equal(a.length, 20);
  assert.equal(new Set(a).size, 20);
  for (const n of a) {
    assert.ok(isDns1123Label(n), n);
    assert.match(n, /^linux-[a-z0-9]{5,8}$/);
  }
  assert.deepEqual(newPodNames('linux', 20, 'seed-1', new Set()), a);
  assert.notDeepEqual(newPodNames('linux', 3, 'seed-2', new Set()), a.slice(0, 3));
});

test('new pod names skip taken names', () => {
  const [first, second] = newPodNames('linux', 2, 's', new Set());
  const next = newPodNames('linux', 2, 's', new Set([first!]));
  assert.ok(!next.includes(first!));
  assert.equal(next[0], second);
});

test('a pod name never exceeds 63 characters, even for a very long prefix', () => {
  const [n] = newPodNames('a'.repeat(70), 1, 's', new Set());
  assert.ok(n!.length <= 63);
  assert.ok(isDns1123Label(n!));
});

test('the placeholder of a spec is <prefix>-placeholder', () => {
  assert.equal(placeholderName('linux'), 'linux-placeholder');
});

test('a rendered pod carries the labels, annotations and env of docs/DESIGN.md', () => {
  const spec = aSpec('linux', { pool: 'My Pool', capabilities: ['docker', 'java=17'], tokenSecretRef: { name: 'pat', key: 'value' } });
  const pod = parse(renderPod(spec, 'linux-abc12', ctx));
  assert.equal(pod.apiVersion, 'v1');
  assert.equal(pod.kind, 'Pod');
  assert.equal(pod.metadata.name, 'linux-abc12');
  assert.equal(pod.metadata.namespace, 'azdo-agents');
  assert.deepEqual(pod.metadata.labels, {
    'app.kubernetes.io/managed-by': 'azdo-gitops',
    'azdo.gitops.dev/pool': 'My-Pool',
    'azdo.gitops.dev/spec': 'linux',
    'azdo.gitops.dev/spec-revision': spec.revision,
  });
  assert.deepEqual(pod.metadata.annotations, {
    'argocd.argoproj.io/ignore-healthcheck': 'true',
    'azdo.gitops.dev/created-at': '2026-01-01T00:00:00.000Z',
    'azdo.gitops.dev/job-requests': '7,12',
  });
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.deepEqual(pod.spec.containers[0].env, [
    { name: 'AZP_URL', value: 'https://dev.azure.com/acme' },
    { name: 'AZP_POOL', value: 'My Pool' },
    { name: 'AZP_AGENT_NAME', value: 'linux-abc12' },
    { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'pat', key: 'value' } } },
    { name: 'AZDO_GITOPS_SPEC', value: 'linux' },
    { name: 'VSO_AGENT_IGNORE', value: 'AZP_TOKEN,AZP_TOKEN_FILE' },
    { name: 'docker', value: 'true' },
    { name: 'java', value: '17' },
  ]);
});

test("the template's VSO_AGENT_IGNORE entries are kept, the token vars added, the marker never hidden", () => {
  const spec = aSpec('linux', {
    template: { spec: { containers: [{ name: 'agent', image: 'i', env: [{ name: 'VSO_AGENT_IGNORE', value: ' MY_SECRET, AZP_TOKEN ,,AZDO_GITOPS_SPEC,azdo_gitops_spec' }, { name: 'AZDO_GITOPS_SPEC', value: 'fake' }] }] } },
  });
  const env = parse(renderPod(spec, 'linux-abc12', ctx)).spec.containers[0].env as Array<{ name: string; value?: string }>;
  assert.deepEqual(env.filter((e) => e.name === 'VSO_AGENT_IGNORE'), [{ name: 'VSO_AGENT_IGNORE', value: 'MY_SECRET,AZP_TOKEN,AZP_TOKEN_FILE' }]);
  assert.deepEqual(env.filter((e) => e.name === 'AZDO_GITOPS_SPEC'), [{ name: 'AZDO_GITOPS_SPEC', value: 'linux' }]);
  assert.equal(agentIgnoreList(undefined), 'AZP_TOKEN,AZP_TOKEN_FILE');
  assert.equal(agentIgnoreList('AZP_TOKEN_FILE,X'), 'AZP_TOKEN_FILE,X,AZP_TOKEN');
});

test('the marker and VSO_AGENT_IGNORE do not change the spec revision: an upgrade rotates nothing', () => {
  const spec = aSpec('linux', { capabilities: ['docker'] });
  assert.equal(parse(renderPod(spec, 'linux-abc12', ctx)).metadata.labels['azdo.gitops.dev/spec-revision'], aSpec('linux', { capabilities: ['docker'] }).revision);
});

test('the PAT appears only as a secretKeyRef, even when the template had an AZP_TOKEN ref of its own', () => {
  const spec = aSpec('linux', {
    template: { spec: { containers: [{ name: 'agent', image: 'i', env: [{ name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'old', key: 'k' } } }, { name: 'KEEP', value: '1' }] }] } },
  });
  const pod = parse(renderPod(spec, 'linux-abc12', ctx));
  const env = pod.spec.containers[0].env as Array<Record<string, unknown>>;
  const tokens = env.filter((e) => e['name'] === 'AZP_TOKEN');
  assert.equal(tokens.length, 1);
  assert.deepEqual(tokens[0], { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azdo-agent-token', key: 'token' } } });
  assert.ok(env.some((e) => e['name'] === 'KEEP'));
  assert.ok(!/\bvalue: .*token/i.test(renderPod(spec, 'linux-abc12', ctx).split('\n').filter((l) => /AZP_TOKEN/.test(l) && !/value: AZP_TOKEN,AZP_TOKEN_FILE$/.test(l)).join('')));
});

test('the env goes to the container named agent, else to the first', () => {
  const named = aSpec('linux', { template: { spec: { containers: [{ name: 'sidecar', image: 's' }, { name: 'agent', image: 'a' }] } } });
  const p1 = parse(renderPod(named, 'linux-abc12', ctx));
  assert.equal(p1.spec.containers[0].env, undefined);
  assert.equal(p1.spec.containers[1].env.length, 6);
  const first = aSpec('linux', { template: { spec: { containers: [{ name: 'main', image: 'm' }, { name: 'side', image: 's' }] } } });
  const p2 = parse(renderPod(first, 'linux-abc12', ctx));
  assert.equal(p2.spec.containers[0].env.length, 6);
  assert.equal(p2.spec.containers[1].env, undefined);
});

test('template labels, annotations and pod spec fields are merged; ours win and restartPolicy is Never', () => {
  const spec = aSpec('linux', {
    template: {
      metadata: { labels: { team: 'ci', 'azdo.gitops.dev/spec': 'spoof' }, annotations: { note: 'x' } },
      spec: { restartPolicy: 'Always', nodeSelector: { pool: 'ci' }, containers: [{ name: 'agent', image: 'i' }] },
    },
  });
  const pod = parse(renderPod(spec, 'linux-abc12', ctx));
  assert.equal(pod.metadata.labels.team, 'ci');
  assert.equal(pod.metadata.labels['azdo.gitops.dev/spec'], 'linux');
  assert.equal(pod.metadata.annotations.note, 'x');
  assert.deepEqual(pod.spec.nodeSelector, { pool: 'ci' });
  assert.equal(pod.spec.restartPolicy, 'Never');
});

test('rendering is deterministic and independent of template key order; it does not mutate the spec', () => {
  const s1 = aSpec('linux', { template: { spec: { containers: [{ name: 'agent', image: 'i', args: ['--once'] }], nodeSelector: { a: 'b' } } } });
  const s2 = aSpec('linux', { template: { spec: { nodeSelector: { a: 'b' }, containers: [{ args: ['--once'], image: 'i', name: 'agent' }] } }, revision: s1.revision });
  const before = JSON.stringify(s1);
  const y1 = renderPod(s1, 'linux-abc12', ctx);
  assert.equal(renderPod(s1, 'linux-abc12', ctx), y1);
  assert.equal(renderPod(s2, 'linux-abc12', ctx), y1);
  assert.equal(JSON.stringify(s1), before);
  assert.ok(y1.startsWith('apiVersion: v1\nkind: Pod\nmetadata:\n  name: linux-abc12\n'));
});

test('an empty job-requests annotation is an empty string', () => {
  const pod = parse(renderPod(aSpec('linux'), 'linux-abc12', { ...ctx, jobRequestIds: [] }));
  assert.equal(pod.metadata.annotations['azdo.gitops.dev/job-requests'], '');
});

test('manifestPath is <agentsPath>/pods/<spec>/<pod>.yaml', () => {
  assert.equal(manifestPath('agents', 'linux', 'linux-abc12'), 'agents/pods/linux/linux-abc12.yaml');
  assert.equal(manifestPath('clusters/prod/agents/', 'linux', 'linux-abc12'), 'clusters/prod/agents/pods/linux/linux-abc12.yaml');
  assert.equal(manifestPath('', 'linux', 'linux-abc12'), 'pods/linux/linux-abc12.yaml');
});

test('the kustomization lists sentinel.yaml and the pod files, sorted and deduplicated', () => {
  const k = parse(renderKustomization(['pods/b/b-2.yaml', 'pods/a/a-1.yaml', 'pods/a/a-1.yaml']));
  assert.equal(k.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  assert.equal(k.kind, 'Kustomization');
  assert.deepEqual(k.resources, ['pods/a/a-1.yaml', 'pods/b/b-2.yaml', 'sentinel.yaml']);
  assert.deepEqual(parse(renderKustomization([])).resources, ['sentinel.yaml']);
});

test('the sentinel is the ConfigMap azdo-gitops-sentinel in the given namespace', () => {
  const s = parse(renderSentinel('azdo-agents'));
  assert.equal(s.kind, 'ConfigMap');
  assert.equal(s.metadata.name, 'azdo-gitops-sentinel');
  assert.equal(s.metadata.namespace, 'azdo-agents');
});

test('parseManifest reads back what renderPod wrote', () => {
  const spec = aSpec('linux', { pool: 'My Pool' });
  const m = parseManifest('agents/pods/linux/linux-abc12.yaml', renderPod(spec, 'linux-abc12', ctx));
  assert.ok(!isSpecError(m));
  assert.deepEqual(m, {
    path: 'agents/pods/linux/linux-abc12.yaml',
    podName: 'linux-abc12',
    specName: 'linux',
    specRevision: spec.revision,
    poolName: 'My Pool',
    createdAt: T0,
    jobRequestIds: [7, 12],
    namespace: 'azdo-agents',
  });
});

test('parseManifest reports broken or foreign files as SpecErrors', () => {
  const good = renderPod(aSpec('linux'), 'linux-abc12', ctx);
  const cases: Array<[string, string, RegExp]> = [
    ['agents/pods/linux/linux-abc12.yaml', 'kind: [', /not valid YAML/],
    ['agents/pods/linux/linux-abc12.yaml', 'apiVersion: v1\nkind: ConfigMap\n', /must be a v1 Pod/],
    ['agents/pods/linux/other.yaml', good, /the file is other.yaml/],
    ['agents/pods/windows/linux-abc12.yaml', good, /under pods\/windows/],
    ['agents/pods/linux/linux-abc12.yaml', good.replace('managed-by: azdo-gitops', 'managed-by: helm'), /must be azdo-gitops/],
    ['agents/pods/linux/linux-abc12.yaml', good.replace(/created-at: .*/, 'created-at: yesterday'), /ISO time/],
    ['agents/pods/linux/linux-abc12.yaml', good.replace(/job-requests: .*/, 'job-requests: "a,b"'), /request ids/],
    ['agents/pods/linux/linux-abc12.yaml', good + '---\n' + good, /exactly one Pod/],
    ['agents/pods/linux/linux-abc12.yaml', '', /is empty/],
  ];
  for (const [path, content, re] of cases) {
    const r = parseManifest(path, content);
    assert.ok(isSpecError(r), `${re} should be an error`);
    assert.match(r.message, re);
    assert.equal(r.file, path);
  }
});

test('parseManifest rejects a manifest with a literal AZP_TOKEN', () => {
  const bad = renderPod(aSpec('linux'), 'linux-abc12', ctx).replace(/- name: AZP_TOKEN\n(\s+)valueFrom:\n\s+secretKeyRef:\n\s+name: \S+\n\s+key: \S+/, '- name: AZP_TOKEN\n$1value: leaked');
  assert.match(bad, /value: leaked/);
  const r = parseManifest('agents/pods/linux/linux-abc12.yaml', bad);
  assert.ok(isSpecError(r));
  assert.ok(!r.message.includes('leaked'));
});

test('a pod mounts no service account token unless its template asks for one', () => {
  const plain = parse(renderPod(aSpec('linux'), 'linux-abc12', ctx));
  assert.equal(plain.spec.automountServiceAccountToken, false);
  const asks = aSpec('kube', { template: { spec: { automountServiceAccountToken: true, containers: [{ name: 'agent', image: 'i' }] } } });
  assert.equal(parse(renderPod(asks, 'kube-abc12', ctx)).spec.automountServiceAccountToken, true);
});
