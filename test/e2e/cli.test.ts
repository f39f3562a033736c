import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { join } from 'node:path';
import { runCli } from '../helpers/runCli.ts';
import { eventually, SOURCE_ENTRY, useWorld } from '../helpers/world.ts';

interface PlanJson {
  tip: string;
  add: { podName: string; specName: string; reason: string; jobRequestIds: number[] }[];
  registerPlaceholders: { name: string }[];
  specs: { specName: string; pendingJobs: number }[];
  specErrors: unknown[];
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
  for (const [name, args, env] of cases) {
    it(`${name}: exits 2 at once naming AZDO_ORG_URL, opens no port, says nothing of a sandbox`, async () => {
      // Killed at 20 s: a command that started anything instead of refusing would still be running.
      const r = await runCli(SOURCE_ENTRY, args, { env, timeoutMs: 20_000, watchPorts: true });
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.equal(r.stderr, NO_ORG);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /sandbox/i);
      assert.deepEqual(r.listened, [], 'no port was opened');
      // Node.js start-up and the module graph take about 1 s here; nothing else may follow.
      assert.ok(r.ms < 5_000, `exited after ${r.ms} ms`);
    });
  }
});
