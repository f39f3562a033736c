// Argo CD's side of the contract on a real kube-apiserver: Argo CD's own CRDs (from its Go
// module, fetched by tools/real-cluster/build.sh) validate the example's Applications, and the
// reconciler's refresh request works under the shipped argocd RBAC and nothing more.
// Argo CD itself is not run: it needs Redis and a repo-server this machine cannot build.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { createSyncRequester } from '../../reconciler/cluster/syncRequester.ts';
import { parseSyncTarget } from '../../reconciler/config/syncTarget.ts';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { ensureRealClusterBinaries, startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries
const APPLICATIONS = join(PROJECT_ROOT, 'cluster-repo-example/argocd/applications.yaml');
const REFRESH = 'argocd.argoproj.io/refresh';

/** Requests a refresh of `argocd/<name>` as the reconciler's ServiceAccount; resolves with the errors it reported. */
async function refreshAsReconciler(cluster: RealCluster, name: string): Promise<unknown[]> {
  const kc = await loadKubeClient(cluster.reconcilerKubeconfigPath);
  const errors: unknown[] = [];
  await createSyncRequester(kc, parseSyncTarget(`argocd:argocd/${name}`)!, (e) => errors.push(e)).requestSync(new Date());
  return errors;
}

describe('cluster-repo-example with Argo CD on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  before(async () => {
    cluster = await startRealCluster({ syncRequestRbac: 'argocd' });
    const { outDir } = await ensureRealClusterBinaries(['argocd-crds']);
    const dir = join(outDir, 'crds', 'argocd-crds');
    const crds = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
    const names = await cluster.applyCrds(crds);
    assert.deepEqual(names.sort(), ['customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io', 'customresourcedefinition.apiextensions.k8s.io/appprojects.argoproj.io']);
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  it('the example Applications are valid Argo CD Applications, every field kept', async () => {
    // kubectl validates strictly: a misspelt field would be an error, not silently dropped.
    await cluster.kubectl(['apply', '-f', APPLICATIONS]);
    const names = (await cluster.kubectl(['get', 'applications', '-n', 'argocd', '-o', 'name'])).stdout.trim().split('\n').sort();
    assert.deepEqual(names, ['application.argoproj.io/azdo-agents', 'application.argoproj.io/azdo-gitops-platform']);
    const policy = JSON.parse((await cluster.kubectl(['get', 'application', 'azdo-agents', '-n', 'argocd', '-o', 'jsonpath={.spec.syncPolicy}'])).stdout);
    assert.deepEqual(policy, { automated: { prune: true, selfHeal: true, allowEmpty: true }, syncOptions: ['ApplyOutOfSyncOnly=true'] });
  });

  it('the CRD really validates: a misspelt or mistyped syncPolicy field is rejected', async () => {
    const text = await readFile(APPLICATIONS, 'utf8');
    const agentsApp = text.slice(text.lastIndexOf('---\n') + 4).replace('name: azdo-agents', 'name: broken');
    for (const [broken, why] of [
      [agentsApp.replace('allowEmpty: true', 'allowempty: true'), /unknown field "spec\.syncPolicy\.automated\.allowempty"/],
      [agentsApp.replace('prune: true', 'prune: sometimes'), /spec\.syncPolicy\.automated\.prune/],
    ] as const) {
      assert.notEqual(broken, agentsApp);
      const r = await cluster.kubectl(['apply', '-f', '-'], { input: broken, allowFail: true });
      assert.notEqual(r.code, 0, `accepted: ${r.stdout}`);
      assert.match(r.stderr, why);
    }
  });

  it('the reconciler may ask for a refresh of the agents Application, and of nothing else', async () => {
    assert.deepEqual(await refreshAsReconciler(cluster, 'azdo-agents'), []);
    const annotation = (await cluster.kubectl(['get', 'application', 'azdo-agents', '-n', 'argocd', '-o', `jsonpath={.metadata.annotations.${REFRESH.replace(/\./g, '\\.')}}`])).stdout;
    assert.equal(annotation, 'normal');

    const denied = await refreshAsReconciler(cluster, 'azdo-gitops-platform');
    assert.equal(denied.length, 1);
    assert.match(String((denied[0] as { code?: number }).code ?? denied[0]), /403/);
    const untouched = (await cluster.kubectl(['get', 'application', 'azdo-gitops-platform', '-n', 'argocd', '-o', 'jsonpath={.metadata.annotations}'])).stdout;
    assert.ok(!untouched.includes(REFRESH), 'the platform Application was not touched');
  });
});
