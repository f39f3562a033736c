// The simulated apiserver through the real kubectl binary.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { kubectl, startKubectl } from '../helpers/kubectl.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let dir: string;
let kc: string;

const podYaml = (name: string, image = 'agent:1') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${NS}
  labels:
    app.kubernetes.io/managed-by: azdo-gitops
spec:
  restartPolicy: Never
  containers:
    - name: agent
      image: ${image}
`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubeapi-kubectl-'));
  api = await startKubeApiServer({ dir });
  kc = api.kubeconfigPath;
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl apply -f creates, then configures on change', async () => {
  const file = join(dir, 'pods.yaml');
  writeFileSync(file, `${podYaml('apply-1')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ${NS}}\ndata: {a: "1"}\n`);
  assert.match(await kubectl(kc, ['apply', '-f', file]), /pod\/apply-1 created\nconfigmap\/cfg created/);
  writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ${NS}}\ndata: {a: "2"}\n`);
  assert.match(await kubectl(kc, ['apply', '-f', file]), /configmap\/cfg configured/);
  assert.equal(await kubectl(kc, ['get', 'configmap', 'cfg', '-n', NS, '-o', 'jsonpath={.data.a}']), '2');
});

test('kubectl get pods prints NAME READY STATUS RESTARTS AGE', async () => {
  await kubectl(kc, ['apply', '-f', '-'], { input: podYaml('table-1') });
  const out = await kubectl(kc, ['get', 'pods', '-n', NS]);
  const [header, ...rows] = out.trim().split('\n');
  assert.deepEqual(header!.split(/\s+/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  assert.match(rows.find((r) => r.startsWith('table-1'))!, /^table-1\s+0\/1\s+Pending\s+0\s+\d+s$/);
});

test('kubectl get pods -w prints a status change', async () => {
  await kubectl(kc, ['apply', '-f', '-'], { input: podYaml('watch-1') });
  const w = startKubectl(kc, ['get', 'pods', '-n', NS, '-w']);
  try {
    await w.waitFor(/watch-1\s+0\/1\s+Pending/);
    await kubectl(kc, ['patch', 'pod', 'watch-1', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
    await w.waitFor(/watch-1\s+0\/1\s+Running/);
  } finally {
    await w.stop();
  }
});

test('kubectl delete pod removes it and waits for the deletion', async () => {
  await kubectl(kc, ['apply', '-f', '-'], { input: podYaml('delete-1') });
  assert.match(await kubectl(kc, ['delete', 'pod', 'delete-1', '-n', NS]), /pod "delete-1" deleted/);
  await assert.rejects(kubectl(kc, ['get', 'pod', 'delete-1', '-n', NS]), /pods "delete-1" not found/);
});

test('kubectl create secret generic stores base64 data', async () => {
  await kubectl(kc, ['create', 'secret', 'generic', 'azp-token', '-n', NS, '--from-literal=token=s3cret']);
  const data = await kubectl(kc, ['get', 'secret', 'azp-token', '-n', NS, '-o', 'jsonpath={.data.token}']);
  assert.equal(Buffer.from(data, 'base64').toString(), 's3cret');
});

test('kubectl shows the real pod-update error for a spec change', async () => {
  await kubectl(kc, ['apply', '-f', '-'], { input: podYaml('immutable-1') });
  await assert.rejects(
    kubectl(kc, ['patch', 'pod', 'immutable-1', '-n', NS, '--type=merge', '-p', '{"spec":{"restartPolicy":"Always"}}']),
    /Pod "immutable-1" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/,
  );
});

test('kubectl with a wrong token is refused', async () => {
  const bad = join(dir, 'bad-kubeconfig');
  writeFileSync(bad, readFileSync(kc, 'utf8').replace(/token: .*/, 'token: wrong'));
  await assert.rejects(kubectl(bad, ['get', 'pods', '-n', NS]), /must be logged in|Unauthorized/);
});
