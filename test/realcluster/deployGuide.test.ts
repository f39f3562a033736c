// The README's deploy guide ("## Deploying it"), run as written against a real kube-apiserver:
// every `kubectl` command of its shell blocks, in order, with the Flux and Argo CD CRDs installed
// (what `flux install` and an Argo CD install bring), so each object is validated by the real
// schemas. What Flux or Argo CD would then do (apply the platform layer) the test does with
// `kubectl apply -k`. Commands that need a kubelet running containers or kube-controller-manager
// (neither runs here: kwok runs no containers) are listed, by name, as not run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { ensureRealClusterBinaries, FLUX_COMPONENTS, startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries
const GUIDE_ENV = {
  AGENT_PAT: 'agent-pat-for-the-guide-test',
  RECONCILER_PAT: 'reconciler-pat-for-the-guide-test',
  GIT_PAT: 'git-pat-for-the-guide-test',
  REPO_URL: 'https://dev.azure.com/my-org/platform/_git/cluster',
};
/** Guide commands this cluster cannot answer, and why. Any other command is run. */
const NOT_RUN: Record<string, string> = {
  'kubectl -n azdo-agents rollout status deployment/azdo-gitops --timeout=2m': 'no kube-controller-manager makes the ReplicaSet',
  'kubectl -n azdo-agents logs deployment/azdo-gitops --tail=20': 'kwok runs no containers',
  'kubectl -n azdo-agents port-forward deployment/azdo-gitops 8080:8080': 'kwok runs no containers',
};

/** The guide's section of the README. */
async function guide(): Promise<string> {
  const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Deploying it\n');
  assert.ok(start >= 0, 'the README has a "Deploying it" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The commands of the guide's ```sh blocks, one per line, comments and blank lines left out. */
function shellCommands(section: string): string[] {
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((m) =>
    m[1]!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('#')),
  );
}

/** Runs one guide command with bash, as a person's shell would, with the admin kubeconfig. */
function sh(command: string, kubeconfig: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig, ...GUIDE_ENV } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('the README deploy guide on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  let commands: string[] = [];
  const ran: string[] = [];

  before(async () => {
    commands = shellCommands(await guide());
    // Its own namespace for the reconciler identity the helper sets up: the guide creates azdo-agents.
    cluster = await startRealCluster({ namespace: 'guide-harness' });
    const { outDir } = await ensureRealClusterBinaries([...FLUX_COMPONENTS, 'argocd-crds']);
    const crdsOf = async (c: string) => (await readdir(join(outDir, 'crds', c))).filter((f) => f.endsWith('.yaml')).map((f) => join(outDir, 'crds', c, f));
    await cluster.applyCrds([...(await crdsOf('source-controller')), ...(await crdsOf('kustomize-controller')), ...(await crdsOf('argocd-crds'))]);
    for (const ns of ['flux-system', 'argocd']) await cluster.kubectl(['create', 'namespace', ns]);
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  /** Runs the guide's commands from the first one matching `from` up to (not including) the first matching `until`. */
  async function runGuide(from: RegExp, until?: RegExp): Promise<void> {
    const first = commands.findIndex((c) => from.test(c));
    assert.ok(first >= 0, `the guide has a command matching ${from}`);
    const last = until ? commands.findIndex((c, i) => i > first && until.test(c)) : commands.length;
    for (const c of commands.slice(first, last < 0 ? commands.length : last)) {
      if (!c.startsWith('kubectl ') || c in NOT_RUN) continue;
      // No namespace controller runs here: a deletion is accepted, never finished.
      const command = / delete /.test(c) ? `${c} --wait=false` : c;
      const r = await sh(command, cluster.kubeconfigPath);
      assert.equal(r.code, 0, `\`${c}\` failed: ${r.out}`);
      ran.push(c);
    }
  }

  it('every command is kubectl, or explained in the guide as a shell step (exports)', () => {
    const others = commands.filter((c) => !c.startsWith('kubectl '));
    assert.deepEqual([...new Set(others.map((c) => c.split(/\s+/)[0]))], ['export']);
    for (const c of Object.keys(NOT_RUN)) assert.ok(commands.includes(c), `NOT_RUN names a command the guide no longer has: ${c}`);
  });

  it('the namespace and its Secrets: each with the key the Deployment and the AgentSpecs read', async () => {
    await runGuide(/^kubectl create namespace azdo-agents$/, /flux-system/);
    const secret = async (name: string) => JSON.parse((await cluster.kubectl(['-n', 'azdo-agents', 'get', 'secret', name, '-o', 'json'])).stdout) as { data: Record<string, string> };
    const token = async (name: string) => Buffer.from((await secret(name)).data.token ?? '', 'base64').toString();
    assert.equal(await token('azdo-agent-token'), GUIDE_ENV.AGENT_PAT);
    assert.equal(await token('azdo-gitops-azdo-token'), GUIDE_ENV.RECONCILER_PAT);
    assert.equal(await token('azdo-gitops-git-token'), GUIDE_ENV.GIT_PAT);

    // The Deployment mounts exactly these Secrets, and its *_TOKEN_FILE paths end in their key.
    const docs = parseAllDocuments(await readFile(join(PROJECT_ROOT, 'cluster-repo-example/reconciler/deployment.yaml'), 'utf8')).map((d) => d.toJS());
    const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
    const secretVolumes = (pod.volumes as { secret?: { secretName: string } }[]).flatMap((v) => (v.secret ? [v.secret.secretName] : [])).sort();
    assert.deepEqual(secretVolumes, ['azdo-gitops-azdo-token', 'azdo-gitops-git-token']);
    for (const e of pod.containers[0].env as { name: string; value?: string }[]) if (e.name.endsWith('_TOKEN_FILE')) assert.match(e.value ?? '', /\/token$/);
    for (const file of ['linux.yaml', 'docker.yaml']) {
      const spec = parseAllDocuments(await readFile(join(PROJECT_ROOT, 'cluster-repo-example/agentspecs', file), 'utf8'))[0]!.toJS();
      assert.deepEqual(spec.spec.tokenSecretRef, { name: 'azdo-agent-token', key: 'token' }, file);
    }
  });

  it('Flux: the repository credentials, the GitRepository (its secretRef names them) and the Kustomizations', async () => {
    await runGuide(/-n flux-system create secret/, /-n argocd/);
    const repo = JSON.parse((await cluster.kubectl(['-n', 'flux-system', 'get', 'gitrepository', 'cluster', '-o', 'json'])).stdout);
    await cluster.kubectl(['-n', 'flux-system', 'get', 'secret', repo.spec.secretRef.name]);
    const ks = (await cluster.kubectl(['-n', 'flux-system', 'get', 'kustomizations', '-o', 'name'])).stdout.trim().split('\n').sort();
    assert.deepEqual(ks, ['kustomization.kustomize.toolkit.fluxcd.io/azdo-agents', 'kustomization.kustomize.toolkit.fluxcd.io/azdo-gitops-platform']);
  });

  it('Argo CD: the repository Secret labelled as one, for the Applications\' repoURL', async () => {
    await runGuide(/-n argocd create secret/, /get agentspecs/);
    const secret = JSON.parse((await cluster.kubectl(['-n', 'argocd', 'get', 'secret', 'cluster-repo', '-o', 'json'])).stdout);
    assert.equal(secret.metadata.labels['argocd.argoproj.io/secret-type'], 'repository');
    const url = Buffer.from(secret.data.url, 'base64').toString();
    const apps = JSON.parse((await cluster.kubectl(['-n', 'argocd', 'get', 'applications', '-o', 'json'])).stdout) as { items: { spec: { source: { repoURL: string } } }[] };
    assert.equal(apps.items.length, 2);
    for (const a of apps.items) assert.equal(a.spec.source.repoURL, url);
  });

  it('what Flux or Argo CD applies next, then the checks: the AgentSpecs are listed', async () => {
    // As Flux does: the CRD first, established, then the rest of the platform layer.
    await cluster.applyCrds([join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml')]);
    await cluster.kubectl(['apply', '-k', join(PROJECT_ROOT, 'cluster-repo-example')]);
    await runGuide(/get agentspecs/, / delete /);
    const specs = (await cluster.kubectl(['-n', 'azdo-agents', 'get', 'agentspecs', '-o', 'name'])).stdout.trim().split('\n').sort();
    assert.deepEqual(specs, ['agentspec.azdo.gitops.dev/docker', 'agentspec.azdo.gitops.dev/linux']);
  });

  it('the remote kustomize base builds and the API server accepts it, with the org patched in', async () => {
    const section = await guide();
    const yaml = /^```yaml\n(# kustomization\.yaml[\s\S]*?)^```$/m.exec(section)?.[1];
    assert.ok(yaml, 'the guide shows the remote-base kustomization.yaml');
    const remote = /https:\/\/github\.com\/azdo-gitops\/azdo-gitops\/\/(cluster-repo-example\/[a-z]+)\?ref=v[0-9.]+/g;
    assert.equal([...yaml.matchAll(remote)].length, 2);
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-remote-base-'));
    try {
      // A copy of this checkout's directories stands in for the tagged repository (kustomize
      // takes no absolute path as a base).
      for (const m of yaml.matchAll(remote)) await cp(join(PROJECT_ROOT, m[1]!), join(dir, 'release', m[1]!), { recursive: true });
      await writeFile(join(dir, 'kustomization.yaml'), yaml.replace(remote, (_m, path: string) => `release/${path}`));
      await mkdir(join(dir, 'agentspecs'));
      await cp(join(PROJECT_ROOT, 'cluster-repo-example/agentspecs/linux.yaml'), join(dir, 'agentspecs/linux.yaml'));
      const built = (await cluster.kubectl(['kustomize', dir])).stdout;
      const docs = parseAllDocuments(built).map((d) => d.toJS());
      assert.deepEqual(docs.map((d) => d.kind).sort(), ['AgentSpec', 'CustomResourceDefinition', 'Deployment', 'Namespace', 'Role', 'RoleBinding', 'ServiceAccount']);
      const env = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].env as { name: string; value?: string }[];
      // The patch's values, at the names its comments say (it addresses env entries by index).
      assert.equal(env.find((e) => e.name === 'AZDO_ORG_URL')?.value, 'https://dev.azure.com/contoso');
      assert.equal(env.find((e) => e.name === 'GIT_URL')?.value, 'https://dev.azure.com/contoso/platform/_git/cluster');
      await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: built });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uninstall: Flux\'s objects, its credentials, the namespace and the CRD are deleted', async () => {
    await runGuide(/-n flux-system delete kustomization/);
    const left = await cluster.kubectl(['-n', 'flux-system', 'get', 'kustomizations,gitrepositories', '-o', 'name']);
    assert.equal(left.stdout.trim(), '');
    const ns = JSON.parse((await cluster.kubectl(['get', 'namespace', 'azdo-agents', '-o', 'json'], { allowFail: true })).stdout || '{}');
    assert.ok(ns.status === undefined || ns.status.phase === 'Terminating', 'the namespace is going');
    const crd = await cluster.kubectl(['get', 'crd', 'agentspecs.azdo.gitops.dev', '-o', 'json'], { allowFail: true });
    assert.ok(crd.code !== 0 || JSON.parse(crd.stdout).metadata.deletionTimestamp, 'the CRD is going');
    // Every kubectl command of the guide ran, except those NOT_RUN explains.
    const expected = commands.filter((c) => c.startsWith('kubectl ') && !(c in NOT_RUN));
    assert.deepEqual(ran, expected);
  });
});
