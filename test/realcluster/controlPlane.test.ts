// Proves the real control plane the project's integration tests run against: a real
// kube-apiserver (RBAC) on kine, kube-scheduler, kwok nodes, and real Flux controllers.
// Nothing is skipped: missing binaries are built by tools/real-cluster/build.sh first (cold: long).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { eventually } from '../helpers/eventually.ts';
import { startRealCluster } from '../helpers/realCluster.ts';
import type { RealCluster } from '../helpers/realCluster.ts';
import { startGitServer } from '../../sandbox/git/index.ts';
import type { GitServer } from '../../sandbox/git/index.ts';

const BUILD_AND_START_TIMEOUT = 120 * 60_000; // a cold build of every binary on 2 cores

function pod(name: string, extra: Record<string, string> = {}): string {
  const labels = Object.entries({ app: 'real-cluster-test', ...extra }).map(([k, v]) => `    ${k}: ${v}`).join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: azdo-agents
  labels:
${labels}
spec:
  restartPolicy: Never
  containers:
  - name: agent
    image: example.invalid/azp-agent:1
    resources: {requests: {cpu: 100m, memory: 64Mi}}
`;
}


describe('real control plane (kube-apiserver + kine + kube-scheduler + kwok)', { timeout: BUILD_AND_START_TIMEOUT }, () => {
  let cluster: RealCluster;

  before(async () => {
    cluster = await startRealCluster({ withFlux: true });
  }, { timeout: BUILD_AND_START_TIMEOUT });

  after(async () => {
    await cluster?.stop();
  });

  it('RBAC: the reconciler token lists and watches pods but cannot create or delete them', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.reconcilerKubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);

    const listed = await core.listNamespacedPod({ namespace: cluster.namespace });
    assert.ok(Array.isArray(listed.items));

    // a real watch stream with the reconciler's token sees a pod the admin creates
    const seen = new Promise<string>((resolve, reject) => {
      const watch = new Watch(kc);
      const abort = watch.watch(`/api/v1/namespaces/${cluster.namespace}/pods`, { resourceVersion: listed.metadata?.resourceVersion },
        (phase, obj) => {
          if (obj?.metadata?.name === 'rbac-probe' && phase === 'ADDED') {
            void abort.then((a) => a.abort());
            resolve(phase);
          }
        },
        (err) => {
          if (err && err.name !== 'AbortError') reject(err);
        });
      abort.catch(reject);
    });
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('rbac-probe') });
    assert.equal(await seen, 'ADDED');

    const create = await cluster.kubectl(['create', '-f', '-'], { as: 'reconciler', input: pod('forbidden-probe'), allowFail: true });
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /forbidden/i);
    assert.match(create.stderr, /system:serviceaccount:azdo-agents:/);

    const del = await cluster.kubectl(['delete', 'pod', 'rbac-probe', '--wait=false'], { as: 'reconciler', allowFail: true });
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /forbidden/i);

    const secrets = await cluster.kubectl(['get', 'secrets'], { as: 'reconciler', allowFail: true });
    assert.match(secrets.stderr, /forbidden/i);

    // leader-election Lease: allowed
    const lease = await cluster.kubectl(['create', '-f', '-'], {
      as: 'reconciler',
      input: `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: azdo-gitops-leader, namespace: ${cluster.namespace}}\nspec: {holderIdentity: test}\n`,
    });
    assert.equal(lease.code, 0);

    const whoami = await cluster.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { as: 'reconciler' });
    assert.equal(whoami.stdout, `system:serviceaccount:${cluster.namespace}:${cluster.serviceAccount}`);
  });

  it('a pod without nodeName is scheduled onto a kwok node and goes Running; deleting it removes it', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('runs-on-kwok') });
    const status = await eventually('pod runs-on-kwok Running', async () => {
      const r = await cluster.kubectl(['get', 'pod', 'runs-on-kwok', '-o', 'json']);
      const p = JSON.parse(r.stdout);
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.ok(cluster.nodes.includes(status.spec.nodeName), `scheduled onto ${status.spec.nodeName}`);
    assert.equal(status.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status, 'True');

    // the agent simulator's move: set the pod Succeeded through the status subresource
    await cluster.kubectl(['patch', 'pod', 'runs-on-kwok', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Succeeded"}}']);
    await new Promise((r) => setTimeout(r, 1500));
    const after = JSON.parse((await cluster.kubectl(['get', 'pod', 'runs-on-kwok', '-o', 'json'])).stdout);
    assert.equal(after.status.phase, 'Succeeded', 'kwok does not move a finished pod back to Running');

    await cluster.kubectl(['delete', 'pod', 'runs-on-kwok', '--wait=true', '--timeout=60s']);
    const gone = await cluster.kubectl(['get', 'pod', 'runs-on-kwok'], { allowFail: true });
    assert.match(gone.stderr, /NotFound/);
  });

  describe('Flux (source-controller + kustomize-controller) from a git http-backend repo', () => {
    let git: GitServer;
    let work: string;
    const user = 'flux';
    const password = `pw-${process.pid}`;

    before(async () => {
      git = await startGitServer({ username: user, token: password });
      work = mkdtempSync(join(tmpdir(), 'azdo-real-flux-work-'));
    });
    after(async () => {
      await git?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    // async: the git server runs in this process, a synchronous `git push` would deadlock it
    const gitIn = async (dir: string, ...args: string[]) => {
      const r = await promisify(execFile)('git', ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        timeout: 60_000,
      });
      return r.stdout.trim();
    };

    it('applies a Pod and a ConfigMap from git, then prunes them when removed', { timeout: 10 * 60_000 }, async () => {
      const repoUrl = await git.createRepo('cluster');
      const authedUrl = repoUrl.replace('http://', `http://${user}:${password}@`);
      const dir = join(work, 'clone');
      mkdirSync(join(dir, 'agents'), { recursive: true });
      await gitIn(dir, 'init', '-q', '--initial-branch=main');
      writeFileSync(join(dir, 'agents/sentinel.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: azdo-gitops-sentinel, namespace: azdo-agents}\ndata: {keep: "true"}\n');
      writeFileSync(join(dir, 'agents/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flux-applied, namespace: azdo-agents}\ndata: {hello: world}\n');
      writeFileSync(join(dir, 'agents/pod.yaml'), pod('flux-agent-1', { 'app.kubernetes.io/managed-by': 'azdo-gitops' }));
      writeFileSync(join(dir, 'agents/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- config.yaml\n- pod.yaml\n- sentinel.yaml\n');
      await gitIn(dir, 'add', '-A');
      await gitIn(dir, 'commit', '-q', '-m', 'add pod and configmap');
      await gitIn(dir, 'push', '-q', authedUrl, 'main');
      const rev1 = await gitIn(dir, 'rev-parse', 'HEAD');

      const flux = await cluster.startFlux({ gitUrl: repoUrl, path: './agents', username: user, password, interval: '5s' });
      await flux.waitForApplied({ revision: rev1, timeoutMs: 180_000 });

      const cm = JSON.parse((await cluster.kubectl(['get', 'configmap', 'flux-applied', '-o', 'json'])).stdout);
      assert.equal(cm.data.hello, 'world');
      assert.equal(cm.metadata.labels['kustomize.toolkit.fluxcd.io/name'], 'agents');
      await eventually('Flux-applied pod Running', async () => {
        const p = JSON.parse((await cluster.kubectl(['get', 'pod', 'flux-agent-1', '-o', 'json'])).stdout);
        return p.status?.phase === 'Running' ? true : undefined;
      });

      // remove the pod and configmap from git: Flux prunes them (kwok finalizes the pod's deletion)
      await gitIn(dir, 'rm', '-q', 'agents/pod.yaml', 'agents/config.yaml');
      writeFileSync(join(dir, 'agents/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- sentinel.yaml\n');
      await gitIn(dir, 'add', '-A');
      await gitIn(dir, 'commit', '-q', '-m', 'remove pod and configmap');
      await gitIn(dir, 'push', '-q', authedUrl, 'main');
      const rev2 = await gitIn(dir, 'rev-parse', 'HEAD');
      await flux.reconcile();
      await flux.waitForApplied({ revision: rev2, timeoutMs: 180_000 });

      await eventually('pruned pod and configmap gone', async () => {
        const p = await cluster.kubectl(['get', 'pod', 'flux-agent-1'], { allowFail: true });
        const c = await cluster.kubectl(['get', 'configmap', 'flux-applied'], { allowFail: true });
        return /NotFound/.test(p.stderr) && /NotFound/.test(c.stderr) ? true : undefined;
      });
      const sentinel = await cluster.kubectl(['get', 'configmap', 'azdo-gitops-sentinel', '-o', 'name']);
      assert.equal(sentinel.stdout.trim(), 'configmap/azdo-gitops-sentinel');
      await flux.stop();
    });
  });
});
