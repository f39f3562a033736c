// AgentSpec status in the sandbox: with the CRD and the AgentSpecs applied to the cluster (as
// `sandbox serve` does), `run` writes each one's status; the real kubectl prints the CRD's
// columns with the numbers of `status --json`, and a spec whose pods reference a missing Secret
// turns Ready False naming the Secret, with Events on the AgentSpec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubectl } from '../../helpers/kubectl.ts';
import { eventually, inlineAgentSpec, pushAsPersonRetrying, useWorld } from '../../helpers/world.ts';

interface Row { readonly name: string; readonly cells: readonly string[] }

describe('AgentSpec status in the sandbox cluster', () => {
  const world = useWorld({ agentSpecsInCluster: true }, 'sandbox');

  const rows = async (): Promise<{ header: string; rows: Row[] }> => {
    const out = await kubectl(world.sandbox.info.kubeconfig, ['get', 'agentspecs', '-n', world.namespace]);
    const [header = '', ...lines] = out.trim().split('\n');
    return { header, rows: lines.map((l) => l.trim().split(/\s+/)).map(([name = '', ...cells]) => ({ name, cells })) };
  };

  it('shows the pass numbers in kubectl get agentspecs, and a missing Secret as Ready False with its name and Events', async () => {
    const gpu = inlineAgentSpec({ name: 'gpu', image: 'registry.example.com/azure-pipelines-agent:ubuntu-24.04', secret: 'gpu-agent-token' });
    await pushAsPersonRetrying(world, { 'agentspecs/gpu.yaml': gpu }, 'add a gpu AgentSpec');
    await kubectl(world.sandbox.info.kubeconfig, ['apply', '-n', world.namespace, '-f', '-'], { input: gpu });
    world.startReconciler({ POD_FAILURE_BACKOFF_SECONDS: '6,12' });

    // Columns as the CRD declares them; linux's numbers equal those of `status --json` (retried
    // until a pass leaves both at the same state).
    await eventually('linux status equal to status --json', async () => {
      const t = await rows();
      assert.match(t.header, /^NAME\s+POOL\s+DESIRED\s+BUSY\s+IDLE\s+PENDING\s+READY\s+AGE$/);
      const linux = t.rows.find((r) => r.name === 'linux');
      if (linux?.cells[5] !== 'True') return undefined;
      const status = await world.cli(['status', '--json']);
      const spec = (JSON.parse(status.stdout) as { specs: { specName: string; desired: number; busy: number; idle: number; pendingJobs: number }[] }).specs.find((s) => s.specName === 'linux');
      if (!spec) return undefined;
      const expected = ['k8s-agents', String(spec.desired), String(spec.busy), String(spec.idle), String(spec.pendingJobs)];
      return JSON.stringify(linux.cells.slice(0, 5)) === JSON.stringify(expected) ? true : undefined;
    }, 60_000);

    await world.admin.queueJob({ name: 'gpu-job', demands: ['gpu'], durationMs: 500 });
    const ready = await eventually('gpu Ready False naming the Secret', async () => {
      const out = await kubectl(world.sandbox.info.kubeconfig, ['get', 'agentspec', 'gpu', '-n', world.namespace, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}']);
      if (!out) return undefined;
      const c = JSON.parse(out) as { status: string; reason: string; message: string };
      return c.status === 'False' ? c : undefined;
    }, 60_000);
    assert.equal(ready.reason, 'CreateContainerConfigError');
    assert.match(ready.message, /secret "gpu-agent-token" not found/);
    assert.equal((await rows()).rows.find((r) => r.name === 'gpu')?.cells[5], 'False');

    const described = await eventually('gpu Events', async () => {
      const d = await kubectl(world.sandbox.info.kubeconfig, ['describe', 'agentspec', 'gpu', '-n', world.namespace]);
      return /ScaledUp/.test(d) && /CreateContainerConfigError/.test(d) ? d : undefined;
    }, 30_000);
    assert.match(described, /Normal\s+ScaledUp/);
    assert.match(described, /Warning\s+(BackOff|CreateContainerConfigError)/);
  });
});
