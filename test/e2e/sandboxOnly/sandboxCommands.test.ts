import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PLACEHOLDER_CAPABILITY } from '../../../reconciler/agentspec/placeholderCapabilities.ts';
import { AdminClient } from '../../../sandbox/azdo/adminClient.ts';
import { PROJECT_ROOT } from '../../../sandbox/index.ts';
import { freePort } from '../../helpers/freePort.ts';
import { kubectl } from '../../helpers/kubectl.ts';
import { listeningPorts } from '../../helpers/listeningPorts.ts';
import { taskAgentApi } from '../../helpers/azdoClient.ts';
import { eventually, SANDBOX_ENTRY, SOURCE_ENTRY } from '../../helpers/world.ts';

describe('azdo-gitops sandbox', () => {
  it('npm start, npm run sandbox and npm run demo are the sandbox entry point: the newcomer\'s first run needs no configuration', async () => {
    const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, 'node sandbox/cli/main.ts run');
    assert.equal(pkg.scripts.sandbox, 'node sandbox/cli/main.ts serve');
    assert.equal(pkg.scripts.demo, 'node sandbox/cli/main.ts demo');
  });

  it('run (npm start) starts the sandbox and reconciles against it with the operator\'s tuning, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HTTP_PORT: String(port),
      POLL_INTERVAL_SECONDS: '1',
      LOG_FORMAT: 'text',
      // An organization configured in the shell does not redirect the sandbox run.
      AZDO_ORG_URL: 'https://dev.azure.com/not-this-org',
      GIT_URL: 'https://git.example.com/not/this.git',
    };
    const child = spawn(process.execPath, [SANDBOX_ENTRY, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const adminUrl = await eventually('the sandbox banner', () => /runs against the sandbox:[\s\S]*POST (http:\/\/127\.0\.0\.1:\d+\/_admin)\/jobs/.exec(out)?.[1], 30_000, 100);
      // The reconciler's first pass against the emulator registers a placeholder per AgentSpec.
      const admin = new AdminClient(adminUrl);
      const placeholders = await eventually(
        'placeholders registered by the reconciler',
        async () => {
          const names = (await admin.state()).agents.filter((a) => a.userCapabilities?.[PLACEHOLDER_CAPABILITY] !== undefined).map((a) => a.name);
          return names.length === 2 ? names.sort() : undefined;
        },
        30_000,
      );
      assert.deepEqual(placeholders, ['docker-placeholder', 'linux-placeholder']);
      // The operator's HTTP_PORT and LOG_FORMAT hold; the shell's organization and repository do not.
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      // /metrics: the passes so far in the duration histogram, and the process metrics beside them.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^azdo_gitops_pass_duration_seconds_count [1-9]\d*$/m);
      assert.match(metrics, /^azdo_gitops_passes_total\{result="success"\} [1-9]\d*$/m);
      assert.match(metrics, /^process_resident_memory_bytes \d+$/m);
      assert.ok((await listeningPorts(child.pid!)).includes(port), 'the reconciler serves /healthz on HTTP_PORT');
      assert.match(out, /INFO +controller started .*pollIntervalSeconds=1 httpPort=\d+/);
      assert.doesNotMatch(out, /not-this-org|not\/this\.git/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  // From a checkout `azdo-gitops sandbox serve` reaches the same command as the sandbox's entry point.
  for (const [how, args] of [['node sandbox/cli/main.ts serve', [SANDBOX_ENTRY, 'serve']], ['azdo-gitops sandbox serve from a checkout', [SOURCE_ENTRY, 'sandbox', 'serve']]] as const) {
    it(`${how} prints one JSON line a client can use, has the example AgentSpecs in its cluster, and stops on SIGTERM`, async () => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      const info = JSON.parse(first) as Record<string, string>;
      assert.deepEqual(Object.keys(info).sort(), ['adminUrl', 'azdoUrl', 'gitToken', 'gitUrl', 'gitUsername', 'kubeconfig', 'pool', 'token']);
      const api = await taskAgentApi({ orgUrl: info.azdoUrl!, adminUrl: info.adminUrl!, token: info.token! });
      assert.deepEqual((await api.getAgentPools(info.pool)).map((p) => p.name), [info.pool]);
      const pods = await kubectl(info.kubeconfig!, ['get', 'pods', '-n', 'azdo-agents', '-o', 'name']);
      assert.equal(typeof pods, 'string');
      // The platform layer's AgentSpecs are in its cluster, printed with the CRD's columns.
      const specs = await kubectl(info.kubeconfig!, ['get', 'agentspecs', '-n', 'azdo-agents']);
      assert.match(specs, /^NAME\s+POOL\s+DESIRED\s+BUSY\s+IDLE\s+PENDING\s+READY\s+AGE$/m);
      assert.deepEqual(specs.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['docker k8s-agents', 'linux k8s-agents']);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    });
  }

  it('demo --json runs the default trace to the end: every job reported, the pool back at standby', async () => {
    const child = spawn(process.execPath, [SANDBOX_ENTRY, 'demo', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out);
    const s = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | string | boolean | { p50: number; p95: number }>;
    for (const k of ['jobsQueued', 'jobsSucceeded', 'jobsFailed', 'jobsRejected', 'maxConcurrentAgents', 'scaleUpCommits', 'pruneCommits', 'agentsRegisteredAtEnd', 'podsAtEnd', 'manifestsAtEnd', 'jobWaitSeconds', 'repoDir']) {
      assert.ok(k in s, `summary has ${k}`);
    }
    assert.equal(s.jobsSucceeded as number + (s.jobsFailed as number), s.jobsQueued, 'every queued job finished');
    assert.ok((s.jobsRejected as number) >= 1, 'the job no spec can run was rejected and reported');
    assert.equal(s.agentsRegisteredAtEnd, s.standby);
    assert.equal(s.podsAtEnd, s.standby);
    assert.equal(s.manifestsAtEnd, s.standby);
    assert.ok((s.scaleUpCommits as number) > 0 && (s.pruneCommits as number) > 0);
    assert.ok((s.maxConcurrentAgents as number) > 1, 'the burst ran in parallel');
    const wait = s.jobWaitSeconds as { p50: number; p95: number };
    assert.ok(wait.p50 <= wait.p95);
  });
});
