// The sandbox demo on a real control plane: real kube-apiserver (RBAC), kube-scheduler, kwok
// nodes and real Flux syncing the cluster repo; the emulated Azure DevOps and the agent
// simulator as in the sandbox; the reconciler on its ServiceAccount token (the shipped Role).
// Run: npm run demo:real-cluster [-- --json]
import { startSandbox } from '../../sandbox/index.ts';
import { runDemo } from '../../sandbox/demo/runDemo.ts';
import { startRealCluster } from '../../test/helpers/realCluster.ts';

const json = process.argv.includes('--json');
const cluster = await startRealCluster({ withFlux: true });
let code = 1;
try {
  const sandbox = await startSandbox({ kubeconfigPath: cluster.kubeconfigPath, syncer: false, kubelet: false });
  const flux = await cluster.startFlux({ gitUrl: sandbox.info.gitUrl, path: './agents', username: sandbox.info.gitUsername, password: sandbox.info.gitToken, interval: '2s' });
  try {
    const summary = await runDemo({
      sandbox,
      reconcilerEnv: { KUBECONFIG: cluster.reconcilerKubeconfigPath },
      onView: (v) => {
        if (!json) process.stderr.write(`${v.seconds.toFixed(1)}s jobs ${v.queued} waiting ${v.running} running ${v.finished}/${v.total} done | agents ${v.agents} (${v.busy} busy) | pods ${v.pods} | manifests ${v.manifests}\n`);
      },
    });
    process.stdout.write(JSON.stringify(summary, null, json ? 0 : 2) + '\n');
    code = summary.settled ? 0 : 1;
  } finally {
    await flux.stop();
    await sandbox.close();
  }
} finally {
  await cluster.stop();
}
process.exit(code);
