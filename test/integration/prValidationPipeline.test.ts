// The cluster repo's PR-validation pipeline (cluster-repo-example/pipelines/pr-validation.yml):
// its script steps run as Azure Pipelines would run them (bash, the agent's variables as env),
// against a real git checkout of a pull request that changes the agent pod template, with the
// target branch holding committed agent pods. The printed preview names the rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { checkClusterRepo } from '../../reconciler/manifests/validateRepo.ts';
import { filesUnder } from '../../reconciler/cli/commands.ts';
import { renderKustomization } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';

interface Step { readonly script?: string; readonly displayName?: string; readonly env?: Record<string, string>; readonly condition?: string }

const PIPELINE = join(PROJECT_ROOT, 'cluster-repo-example/pipelines/pr-validation.yml');
const gitEnv = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', PATH: process.env.PATH ?? '/usr/bin' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });

/** A cluster repo on `origin`: main with two linux pods committed, and branch `pr` applying `change` to main. */
async function pullRequest(root: string, change: (dir: string) => void): Promise<string> {
  const seed = join(root, 'seed');
  cpSync(join(PROJECT_ROOT, 'cluster-repo-example'), seed, { recursive: true });
  const { specs } = checkClusterRepo(await filesUnder(seed));
  const linux = specs.find((s) => s.name === 'linux')!;
  const pods = ['linux-aaaaa1', 'linux-bbbbb2'];
  mkdirSync(join(seed, 'agents/pods/linux'), { recursive: true });
  for (const p of pods) writeFileSync(join(seed, `agents/pods/linux/${p}.yaml`), renderPod(linux, p, { orgUrl: 'https://dev.azure.com/org', createdAt: new Date('2026-01-01T00:00:00Z'), jobRequestIds: [] }));
  writeFileSync(join(seed, 'agents/kustomization.yaml'), renderKustomization(pods.map((p) => `pods/linux/${p}.yaml`)));
  const origin = join(root, 'origin.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', origin], { env: gitEnv });
  git(seed, 'init', '--quiet', '--initial-branch=main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'cluster repo with two linux agents');
  git(seed, 'remote', 'add', 'origin', origin);
  git(seed, 'push', '--quiet', 'origin', 'main');
  git(seed, 'checkout', '--quiet', '-b', 'pr');
  change(seed);
  git(seed, 'commit', '--quiet', '-am', 'the change under review');
  git(seed, 'push', '--quiet', 'origin', 'pr');
  // The agent's checkout: the PR's commit, with the target branch fetched (fetchDepth: 0).
  const sources = join(root, 's');
  execFileSync('git', ['clone', '--quiet', '--branch', 'pr', origin, sources], { env: gitEnv });
  return sources;
}

/** Runs every script step of the pipeline as the agent would; returns each step's outcome. */
function runSteps(root: string, sources: string): { name: string; code: number | null; out: string }[] {
  const pipeline = parse(readFileSync(PIPELINE, 'utf8')) as { variables: Record<string, string>; steps: Step[] };
  // The CLI the install step installs: a package whose bin runs this checkout's azdo-gitops.
  const pkg = join(root, 'azdo-gitops-package');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'azdo-gitops', version: '0.0.0-test', bin: { 'azdo-gitops': 'cli.mjs' } }));
  writeFileSync(join(pkg, 'cli.mjs'), `#!/usr/bin/env node\nimport { spawnSync } from 'node:child_process';\nprocess.exit(spawnSync(${JSON.stringify(process.execPath)}, [${JSON.stringify(join(PROJECT_ROOT, 'reconciler/main.ts'))}, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1);\n`);
  const variables: Record<string, string> = { ...pipeline.variables, azdoGitopsPackage: pkg };
  const temp = join(root, 'agent-temp');
  mkdirSync(temp);
  const prefix = join(root, 'npm-prefix');
  const env: Record<string, string> = {
    ...gitEnv,
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:${gitEnv.PATH}`,
    HOME: root, NPM_CONFIG_PREFIX: prefix, NPM_CONFIG_CACHE: join(root, 'npm-cache'), NPM_CONFIG_OFFLINE: 'true', NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    BUILD_SOURCESDIRECTORY: sources, AGENT_TEMPDIRECTORY: temp, SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main', TF_BUILD: 'True',
  };
  const results: { name: string; code: number | null; out: string }[] = [];
  for (const step of pipeline.steps.filter((s) => s.script !== undefined)) {
    const failedBefore = results.some((r) => r.code !== 0);
    if (failedBefore && step.condition !== 'succeededOrFailed()') continue;
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replace(/\$\((\w+)\)/g, (_, n: string) => variables[n] ?? '')]));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', step.script!], { cwd: sources, env: { ...env, ...stepEnv }, encoding: 'utf8' });
    results.push({ name: step.displayName ?? step.script!, code: r.status, out: r.stdout + r.stderr });
  }
  return results;
}

test('the PR pipeline, on a PR that changes the pod template, validates and prints the rotation it causes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'azdo-gitops-pr-'));
  try {
    const sources = await pullRequest(root, (dir) => {
      const t = join(dir, 'templates/agent-pod.yaml');
      const before = readFileSync(t, 'utf8');
      const after = before.replace('azure-pipelines-agent:ubuntu-24.04', 'azure-pipelines-agent:ubuntu-24.04-r2');
      assert.notEqual(after, before);
      writeFileSync(t, after);
    });
    const steps = runSteps(root, sources);
    assert.deepEqual(steps.map((s) => [s.name, s.code]), [
      ['Install azdo-gitops', 0], ['Check out the target branch next to the PR', 0], ['Validate AgentSpecs, templates and agents/', 0], ['What this PR will do', 0],
    ], steps.map((s) => s.out).join('\n'));
    const preview = steps.at(-1)!.out;
    assert.match(preview, /^## azdo-gitops: what this pull request will do$/m);
    assert.match(preview, /\*\*2 agent pods rotate\*\*/);
    assert.match(preview, /^\| `linux` \| revision `\w+` → `\w+`; pod template \| 2 \| \*\*2 pods rotate\*\*: idle agents are replaced now, busy ones after their job \|$/m);
    assert.doesNotMatch(preview, /`docker`/, 'docker inlines its own template: the PR does not touch it');
    assert.match(preview, /^##vso\[task\.uploadsummary\].*what-this-pr-will-do\.md$/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the PR pipeline fails a PR that breaks a spec, and its preview lists the error', async () => {
  const root = mkdtempSync(join(tmpdir(), 'azdo-gitops-pr-'));
  try {
    const sources = await pullRequest(root, (dir) => {
      const f = join(dir, 'agentspecs/docker.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('maxAgents: 5', 'maxAgents: lots'));
    });
    const steps = runSteps(root, sources);
    assert.deepEqual(steps.map((s) => s.code), [0, 0, 1, 1], steps.map((s) => s.out).join('\n'));
    const preview = steps.at(-1)!.out;
    assert.match(preview, /❌ \*\*1 validation error\*\*/);
    assert.match(preview, /^- ❌ agentspecs\/docker\.yaml: spec\.maxAgents: /m);
    assert.match(preview, /^\| `docker` \| invalid in this PR \|/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
