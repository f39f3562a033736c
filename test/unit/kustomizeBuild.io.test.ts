// The one unit test allowed to do I/O: it runs the real `kubectl kustomize` on rendered output.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fileChanges } from '../../reconciler/manifests/fileChanges.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';
import { aSpec, T0 } from '../helpers/fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'azdo-gitops-kustomize-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('(I/O: runs kubectl) kubectl kustomize on the written agents dir yields exactly the pods and the sentinel', () => {
  const linux = aSpec('linux', { capabilities: ['docker', 'java=17'] });
  const win = aSpec('windows', { namespace: 'win-agents', pool: 'Windows Pool' });
  const plan: Plan = {
    add: [
      { podName: 'linux-aaaa1', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [1] },
      { podName: 'linux-bbbb2', specName: 'linux', reason: 'standby', jobRequestIds: [] },
      { podName: 'windows-ccc3', specName: 'windows', reason: 'standby', jobRequestIds: [] },
    ],
    remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [],
  };
  const changes = fileChanges(plan, { agentsPath: 'agents', orgUrl: 'https://dev.azure.com/acme', now: T0, specs: [linux, win], files: new Map(), sentinelNamespace: 'azdo-agents' });
  for (const c of changes) {
    const p = join(root, c.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, c.content!);
  }
  const out = execFileSync('kubectl', ['kustomize', join(root, 'agents')], { encoding: 'utf8' });
  const objs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } });
  assert.deepEqual(
    objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort(),
    ['ConfigMap/azdo-agents/azdo-gitops-sentinel', 'Pod/azdo-agents/linux-aaaa1', 'Pod/azdo-agents/linux-bbbb2', 'Pod/win-agents/windows-ccc3'],
  );
});
