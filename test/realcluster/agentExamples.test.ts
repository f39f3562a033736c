// The agent examples (agent-examples/: BuildKit sidecar, Windows) as the reconciler renders their
// pods, accepted by a real kube-apiserver's validation (server-side dry-run), and parsed by the
// reconciler with exactly the warnings their comments explain.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries
const DIR = join(PROJECT_ROOT, 'agent-examples');
/** Warnings an example carries on purpose (its comment says why). */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  'buildkit.yaml': ['spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation'],
  'windows.yaml': [],
};

async function examples(): Promise<{ file: string; content: string }[]> {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(files.map(async (file) => ({ file, content: await readFile(join(DIR, file), 'utf8') })));
}

describe('the agent examples on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  before(async () => {
    cluster = await startRealCluster();
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  it('every example is listed here with its expected warnings', async () => {
    assert.deepEqual((await examples()).map((e) => e.file), Object.keys(EXPECTED_WARNINGS).sort());
  });

  it('each parses without errors, with only the warnings it explains', async () => {
    for (const { file, content } of await examples()) {
      const parsed = parseAgentSpecs([{ path: `agentspecs/${file}`, content }], new Map(), DEFAULT_SPEC_DEFAULTS);
      assert.deepEqual(parsed.errors, [], file);
      assert.equal(parsed.specs.length, 1, file);
      assert.deepEqual(parsed.warnings.map((w) => w.field), EXPECTED_WARNINGS[file], file);
    }
  });

  it('each rendered agent pod passes the API server\'s validation (server-side dry-run)', async () => {
    for (const { file, content } of await examples()) {
      const [spec] = parseAgentSpecs([{ path: `agentspecs/${file}`, content }], new Map(), DEFAULT_SPEC_DEFAULTS).specs;
      const pod = renderPod(spec!, `${spec!.prefix}-abc12`, { orgUrl: 'https://dev.azure.com/my-org', createdAt: new Date(), jobRequestIds: [1] });
      const r = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: pod, allowFail: true });
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      const accepted = JSON.parse(r.stdout) as { spec: { os?: { name: string }; initContainers?: { name: string; restartPolicy?: string }[]; nodeSelector?: Record<string, string> } };
      const original = parse(content) as { spec: { template: { spec: { os?: unknown } } } };
      if (original.spec.template.spec.os) assert.deepEqual(accepted.spec.os, original.spec.template.spec.os, `${file}: the pod OS is kept`);
      if (file === 'buildkit.yaml') assert.deepEqual(accepted.spec.initContainers?.map((c) => [c.name, c.restartPolicy]), [['buildkitd', 'Always']], 'BuildKit runs as a native sidecar');
      if (file === 'windows.yaml') assert.equal(accepted.spec.nodeSelector?.['kubernetes.io/os'], 'windows');
    }
  });
});
