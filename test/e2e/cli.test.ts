import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { join } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { runCli } from '../helpers/runCli.ts';
import { eventually, SOURCE_ENTRY, useWorld } from '../helpers/world.ts';

interface PlanJson {
  tip: string;
  add: { podName: string; specName: string; reason: string; jobRequestIds: number[] }[];
  registerPlaceholders: { name: string }[];
  specs: { specName: string; pendingJobs: number }[];
  specErrors: unknown[];
}

/** A copy of a kubeconfig's current cluster with another token or server. */
function kubeconfigWith(path: string, change: { token?: string; server?: string }): string {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [{ ...cluster, server: change.server ?? cluster.server }],
    users: [change.token ? { name: user.name, token: change.token } : user],
    contexts: [{ name: 'test', cluster: cluster.name, user: user.name, namespace: kc.getContextObject(kc.getCurrentContext())?.namespace }],
    currentContext: 'test',
  });
  return out.exportConfig();
}

/** A local port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('the CLI against a running world', () => {
  const world = useWorld();

  it('plan --json on a fresh pool proposes the standby agent and placeholders, and changes nothing', async () => {
    const commitsBefore = await world.commits();
    const r = await world.cli(['plan', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as PlanJson;
    assert.equal(plan.tip, commitsBefore[0]!.oid);
    assert.deepEqual(plan.add.map((a) => [a.specName, a.reason]), [['linux', 'standby']]);
    assert.deepEqual(plan.registerPlaceholders.map((p) => p.name).sort(), ['docker-placeholder', 'linux-placeholder']);
    assert.deepEqual(plan.specErrors, []);
    assert.deepEqual(await world.commits(), commitsBefore, 'no commit');
    assert.deepEqual((await world.admin.state()).agents, [], 'no agent registered');
  });

  it('once applies one pass, and status --json reports the result', async () => {
    const once = await world.cli(['once']);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /pushed [0-9a-f]{40}/);
    assert.equal((await world.placeholders()).length, 2);
    const r = await world.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { specs: { specName: string; starting: number; idle: number }[]; manifests: number; specErrors: unknown[] };
    assert.equal(status.manifests, 1);
    assert.deepEqual(status.specErrors, []);
    const linux = status.specs.find((s) => s.specName === 'linux')!;
    assert.equal(linux.starting + linux.idle, 1);
  });

  it('plan --json attributes a queued job to the spec that will run it, and writes nothing', async () => {
    // Let the standby pod from `once` come up first, so the agent list is at rest while we compare.
    await eventually('the standby agent online', async () => (await world.agents()).filter((a) => a.status === 'online').length === 1, 30_000);
    const job = await world.admin.queueJob({ name: 'docker-job', demands: ['docker'] });
    const commitsBefore = await world.commits();
    const agentsBefore = (await world.admin.state()).agents;
    const r = await world.cli(['plan', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as PlanJson;
    assert.ok(plan.add.some((a) => a.specName === 'docker' && a.reason === 'pending-jobs' && a.jobRequestIds.includes(job)));
    assert.deepEqual(await world.commits(), commitsBefore);
    assert.deepEqual((await world.admin.state()).agents.map((a) => [a.name, a.enabled]), agentsBefore.map((a) => [a.name, a.enabled]));
  });

  it('validate --json accepts the shipped cluster-repo-example', async () => {
    const r = await world.cli(['validate', join(PROJECT_ROOT, 'cluster-repo-example'), '--json']);
    assert.equal(r.code, 0, r.stdout);
    const out = JSON.parse(r.stdout) as { ok: boolean; specs: { name: string; pool: string }[] };
    assert.equal(out.ok, true);
    assert.deepEqual(out.specs.map((s) => s.name).sort(), ['docker', 'linux']);
  });

  it('rejects unknown commands and options with usage and exit 2', async () => {
    const r = await world.cli(['plan', '--jsn']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --jsn/);
    assert.match(r.stderr, /Usage: azdo-gitops/);
  });

  it('names the missing setting when the configuration is incomplete', async () => {
    const r = await world.cli(['once'], { GIT_URL: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /GIT_URL: is not set/);
  });

  // Settings only the world can judge, and settings a Deployment gets wrong: each stops start-up
  // with exit 2 and ONE line on stderr saying what to fix.
  const oneLine = (r: { code: number | string; stderr: string }, pattern: RegExp): void => {
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0]!, pattern);
  };
  /** `run` (or any command) with a kill timer: a command that should exit but keeps running fails the test. */
  const bounded = async (args: string[], extra: Record<string, string>, timeoutMs = 30_000) => {
    const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-cli-settings-'));
    try {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...world.sandbox.reconcilerEnv(state), LOG_LEVEL: 'warn', ...extra };
      return await runCli(SOURCE_ENTRY, args, { env, timeoutMs });
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  };
  const notAnOrg = () => `${new URL(world.sandbox.info.azdoUrl).origin}/not-an-org`;

  it('an AZDO_ORG_URL that is not an organization (404 on the location call) is named as such: plan exits 2', async () => {
    const r = await world.cli(['plan'], { AZDO_ORG_URL: notAnOrg() });
    oneLine(r, /^azdo-gitops: AZDO_ORG_URL: http:\/\/127\.0\.0\.1:\d+\/not-an-org is not an Azure DevOps organization \(its location call answered 404 Not Found\)\. .*For example AZDO_ORG_URL=https:\/\/dev\.azure\.com\/my-org$/);
  });

  it('run exits 2 at start-up on a wrong organization rather than retrying a typo forever', async () => {
    const r = await bounded(['run'], { AZDO_ORG_URL: notAnOrg() });
    oneLine(r, /^azdo-gitops: AZDO_ORG_URL: .* is not an Azure DevOps organization \(its location call answered 404/);
  });

  it('a page in place of the organization (HTML on the location call) is named too', async () => {
    await world.admin.setFaults({ reply: 'html', route: 'OPTIONS Location' });
    try {
      const r = await world.cli(['status']);
      oneLine(r, /^azdo-gitops: AZDO_ORG_URL: .* is not an Azure DevOps organization \(its location call answered 200 with a body that is not Azure DevOps JSON; a proxy, login or maintenance page/);
    } finally {
      await world.admin.clearFaults();
    }
  });

  it('a KUBECONFIG naming a missing file says which file and how to fix it', async () => {
    const r = await world.cli(['once'], { KUBECONFIG: '/nonexistent/kubeconfig' });
    oneLine(r, /^azdo-gitops: KUBECONFIG: the file \/nonexistent\/kubeconfig does not exist\. Mount the kubeconfig there, fix the path, or unset KUBECONFIG in a cluster .*For example KUBECONFIG=/);
  });

  it('an SSH GIT_URL is refused with the reason and the HTTPS URL to use', async () => {
    const r = await world.cli(['plan'], { GIT_URL: 'git@ssh.dev.azure.com:v3/acme/infra/cluster' });
    oneLine(r, /^azdo-gitops: GIT_URL: is an SSH URL .*HTTPS only.*https:\/\/dev\.azure\.com\/acme\/infra\/_git\/cluster/);
  });

  it('HTTP_PORT out of range and an unknown LOG_LEVEL stop run before anything starts', async () => {
    oneLine(await bounded(['run'], { HTTP_PORT: '99999' }), /^azdo-gitops: HTTP_PORT: must be a whole number from 0 to 65535, got "99999"\. For example HTTP_PORT=8080$/);
    oneLine(await bounded(['run'], { LOG_LEVEL: 'verbose' }), /^azdo-gitops: LOG_LEVEL: must be one of debug, info, warn, error, got "verbose"\. For example LOG_LEVEL=info$/);
  });

  it('credentials the API server refuses (401) are one line naming KUBECONFIG, no header dump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-bad-token-'));
    try {
      const badToken = join(dir, 'kubeconfig');
      await writeFile(badToken, kubeconfigWith(world.sandbox.info.kubeconfig, { token: 'not-a-valid-token' }));
      for (const args of [['plan'], ['run']]) {
        const r = await bounded(args, { KUBECONFIG: badToken });
        oneLine(r, new RegExp(`^azdo-gitops: the API server at https://\\S+ refused the credentials of the user of KUBECONFIG=${badToken} \\(401 Unauthorized\\): check the token or client certificate`));
        assert.doesNotMatch(r.stderr, /Headers|HTTP-Code/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable cluster under run is named with its server, not as "not the leader"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-unreachable-'));
    try {
      const port = await closedPort();
      const unreachable = join(dir, 'kubeconfig');
      await writeFile(unreachable, kubeconfigWith(world.sandbox.info.kubeconfig, { server: `https://127.0.0.1:${port}` }));
      // run stands by (a cluster that does not answer is not a setting): stopped once it has said so.
      const run = world.startReconciler({ KUBECONFIG: unreachable, LEADER_ELECTION: 'true' });
      const said = new RegExp(`"msg":"the cluster is unreachable at https://127\\.0\\.0\\.1:${port}; standing by until it answers"`);
      await eventually('run says the cluster is unreachable', async () => said.test(run.output()) || run.child.exitCode !== null, 60_000);
      assert.equal(run.child.exitCode, null, `run keeps standing by; output:\n${run.output()}`);
      await run.stop();
      assert.match(run.output(), said);
      assert.doesNotMatch(run.output(), /not the leader/);
      assert.doesNotMatch(run.output(), /HTTP-Code|Headers/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('validate on a directory that does not exist says so in one line (exit 2)', async () => {
    const r = await world.cli(['validate', '/nonexistent']);
    oneLine(r, /^azdo-gitops: validate: \/nonexistent does not exist; give the directory of a cluster-repo checkout$/);
    assert.equal(r.stdout, '');
  });
});

/** What a Deployment that forgot AZDO_ORG_URL (or everything) must print, and nothing else. */
const NO_ORG = 'azdo-gitops: AZDO_ORG_URL: is not set. Set it to your organization URL. For example AZDO_ORG_URL=https://dev.azure.com/my-org\n';

describe('the CLI without configuration never starts the sandbox', () => {
  // The rest of a Deployment's settings, without the organization: the sandbox must not stand in for it.
  const withoutOrg = { AZDO_TOKEN: 'azdo-pat-0123456789', GIT_URL: 'https://git.example.com/acme/cluster.git', GIT_TOKEN: 'git-token-9876543210' };
  const cases: [string, string[], NodeJS.ProcessEnv][] = [
    ['run', ['run'], {}],
    ['no command (run)', [], {}],
    ['once', ['once'], {}],
    ['plan', ['plan', '--json'], {}],
    ['status', ['status'], {}],
    ['run with everything but AZDO_ORG_URL', ['run'], withoutOrg],
  ];
  // A cluster and a git server it could reach, each connection counted: refusing the configuration
  // comes before any of them is contacted (no connection, hence no retry loop, however long the
  // machine takes to start Node.js).
  let connections = 0;
  let kubeconfig = '';
  let dir = '';
  const listener = createServer((socket) => { connections += 1; socket.destroy(); });
  before(async () => {
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as AddressInfo;
    dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-no-org-'));
    kubeconfig = join(dir, 'kubeconfig');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'reachable', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'user', token: 'a-token' }],
      contexts: [{ name: 'reachable', cluster: 'reachable', user: 'user' }],
      currentContext: 'reachable',
    });
    await writeFile(kubeconfig, kc.exportConfig());
    withoutOrg.GIT_URL = `https://127.0.0.1:${port}/acme/cluster.git`;
  });
  after(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  for (const [name, args, env] of cases) {
    it(`${name}: exits 2 at once naming AZDO_ORG_URL, contacts nothing, opens no port, says nothing of a sandbox`, async () => {
      const seen = connections;
      // Killed at 20 s: a command that started anything instead of refusing would still be running.
      const r = await runCli(SOURCE_ENTRY, args, { env: { ...env, KUBECONFIG: kubeconfig }, timeoutMs: 20_000, watchPorts: true });
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.equal(r.stderr, NO_ORG);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /sandbox/i);
      assert.deepEqual(r.listened, [], 'no port was opened');
      assert.equal(connections - seen, 0, 'no connection to the cluster or the git server');
    });
  }
});
