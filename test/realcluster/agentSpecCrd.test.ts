// The shipped platform manifests against a real kube-apiserver: the AgentSpec CRD accepts the
// example specs and rejects invalid ones with the API server's own validation, and the whole
// platform layer of cluster-repo-example (CRD, Namespace, RBAC, Deployment, AgentSpecs) applies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries

function agentSpec(name: string, spec: string): string {
  return `apiVersion: azdo.gitops.dev/v1alpha1
kind: AgentSpec
metadata:
  name: ${name}
  namespace: azdo-agents
spec:
${spec}`;
}

const VALID = `  pool: k8s-agents
  maxAgents: 3
  templateFile: templates/agent-pod.yaml
  tokenSecretRef: {name: azdo-agent-token, key: token}
`;

describe('cluster-repo-example on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  before(async () => {
    cluster = await startRealCluster();
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  it('the platform layer (CRD, Namespace, RBAC, Deployment, AgentSpecs) applies as shipped', async () => {
    const platform = execFileSync('kubectl', ['kustomize', join(PROJECT_ROOT, 'cluster-repo-example')], { encoding: 'utf8' });
    // The CRD first: the AgentSpecs in the same stream need it Established.
    await cluster.applyCrds([join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml')]);
    await cluster.apply(platform);
    const names = (await cluster.kubectl(['get', 'agentspecs', '-n', 'azdo-agents', '-o', 'name'])).stdout.trim().split('\n').sort();
    assert.deepEqual(names, ['agentspec.azdo.gitops.dev/docker', 'agentspec.azdo.gitops.dev/linux']);
    const columns = (await cluster.kubectl(['get', 'agentspecs', '-n', 'azdo-agents'])).stdout;
    assert.match(columns, /NAME\s+POOL\s+DESIRED\s+BUSY\s+IDLE\s+PENDING\s+READY\s+AGE/);
  });

  const rejected: [string, string, RegExp][] = [
    ['maxAgents is not a number', VALID.replace('maxAgents: 3', 'maxAgents: ten'), /spec\.maxAgents/],
    ['maxAgents is zero', VALID.replace('maxAgents: 3', 'maxAgents: 0'), /spec\.maxAgents/],
    ['the prefix is not a DNS-1123 label', `${VALID}  prefix: Linux_Agents\n`, /spec\.prefix/],
    ['both template and templateFile are set', `${VALID}  template: {spec: {containers: [{name: agent, image: x}]}}\n`, /exactly one of spec\.template/],
    ['neither template nor templateFile is set', VALID.replace('  templateFile: templates/agent-pod.yaml\n', ''), /exactly one of spec\.template/],
    ['the token Secret reference has no key', VALID.replace('{name: azdo-agent-token, key: token}', '{name: azdo-agent-token}'), /spec\.tokenSecretRef\.key/],
    ['a deadline is not a duration', `${VALID}  deadlines: {imagePull: soon}\n`, /spec\.deadlines\.imagePull/],
    ['the pool is missing', VALID.replace('  pool: k8s-agents\n', ''), /spec\.pool/],
    ['the namespace is not a DNS-1123 label', `${VALID}  namespace: Team_A\n`, /spec\.namespace/],
    ['a template label value is longer than 63 characters', VALID.replace('  templateFile: templates/agent-pod.yaml\n', `  template: {metadata: {labels: {team: ${'a'.repeat(64)}}}, spec: {containers: [{name: agent, image: x}]}}\n`), /spec\.template\.metadata\.labels/],
  ];
  for (const [what, spec, field] of rejected) {
    it(`rejects an AgentSpec when ${what}`, async () => {
      const r = await cluster.kubectl(['apply', '-f', '-'], { input: agentSpec('bad', spec), allowFail: true });
      assert.notEqual(r.code, 0, `accepted: ${r.stdout}`);
      assert.match(r.stderr, /is invalid/);
      assert.match(r.stderr, field);
    });
  }

  it('accepts a standbySchedule and defaults standby to 0', async () => {
    const spec = `${VALID}  standbySchedule:\n    timeZone: Europe/Amsterdam\n    rules:\n      - {cron: "0 8 * * 1-5", standby: 2}\n`;
    await cluster.kubectl(['apply', '-f', '-'], { input: agentSpec('scheduled', spec) });
    const standby = (await cluster.kubectl(['get', 'agentspec', 'scheduled', '-n', 'azdo-agents', '-o', 'jsonpath={.spec.standby}'])).stdout;
    assert.equal(standby, '0');
  });
});
