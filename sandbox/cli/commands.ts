// `sandbox run`, `sandbox serve` and `sandbox demo`: development tools that drive the product
// (its `run` command) against the emulated world. Entry point: sandbox/cli/main.ts; from a checkout
// `azdo-gitops sandbox …` also lands here (reconciler/cli/loadSandboxCommands.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoView } from '../demo/runDemo.ts';
import { startSandbox } from '../index.ts';
import { runCommand } from '../../reconciler/cli/commands.ts';
import type { RunSandboxCommand } from '../../reconciler/cli/loadSandboxCommands.ts';
import { untilSignal } from '../../reconciler/cli/untilSignal.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const runSandboxCommand: RunSandboxCommand = (cmd, env) => {
  switch (cmd.name) {
    case 'sandbox-run':
      return sandboxRunCommand(env);
    case 'sandbox-serve':
      return sandboxServeCommand();
    case 'sandbox-demo':
      return sandboxDemoCommand(cmd.json, cmd.jobs);
  }
};

/** How the reconciler runs, which the operator still chooses; where things are is the sandbox's. */
const TUNING = ['HTTP_PORT', 'POLL_INTERVAL_SECONDS', 'LOG_LEVEL', 'LOG_FORMAT', 'LEADER_ELECTION'];

/** The newcomer's first run: the sandbox, and `run` against it until SIGINT/SIGTERM. */
async function sandboxRunCommand(env: Env): Promise<number> {
  const sandbox = await startSandbox({ agentSpecsInCluster: true });
  let stateDir: string | undefined;
  try {
    stateDir = await mkdtemp(join(tmpdir(), 'azdo-gitops-state-'));
    // Only the tuning passes through: an organization, repository or sync target set in this
    // shell must not mix with the sandbox's.
    const tuning = Object.fromEntries(TUNING.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
    const effective = { ...sandbox.reconcilerEnv(stateDir), ...tuning };
    const { info } = sandbox;
    process.stderr.write(
      [
        'azdo-gitops sandbox run: the reconciler runs against the sandbox:',
        `  Azure DevOps emulator  ${info.azdoUrl}  (queue jobs: POST ${info.adminUrl}/jobs {"demands":["docker"]})`,
        `  cluster repo           ${info.gitUrl}`,
        `  kubeconfig             ${info.kubeconfig}  (kubectl --kubeconfig … get pods -n ${info.namespace} -w)`,
        '  To reconcile your organization instead, set AZDO_ORG_URL, AZDO_TOKEN, GIT_URL and GIT_TOKEN for azdo-gitops run.',
        '',
      ].join('\n'),
    );
    return await runCommand(effective);
  } finally {
    await sandbox.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }
}

async function sandboxServeCommand(): Promise<number> {
  // The AgentSpecs in the cluster too, as the platform layer applies them: `kubectl get agentspecs`.
  const sandbox = await startSandbox({ agentSpecsInCluster: true });
  const { azdoUrl, token, pool, gitUrl, gitUsername, gitToken, kubeconfig, adminUrl } = sandbox.info;
  process.stdout.write(JSON.stringify({ azdoUrl, token, pool, gitUrl, gitUsername, gitToken, kubeconfig, adminUrl }) + '\n');
  await untilSignal();
  await sandbox.close();
  return 0;
}

function line(v: DemoView): string {
  return (
    `${v.seconds.toFixed(1).padStart(6)}s  jobs: ${String(v.queued).padStart(2)} waiting ${String(v.running).padStart(2)} running ` +
    `${String(v.finished).padStart(2)}/${v.total} done ${v.rejected} rejected | agents ${String(v.agents).padStart(2)} online ` +
    `(${v.busy} busy) | pods ${String(v.pods).padStart(2)} | manifests ${String(v.manifests).padStart(2)}`
  );
}

async function sandboxDemoCommand(json: boolean, jobs: number | undefined): Promise<number> {
  const tty = process.stderr.isTTY && !json;
  const summary = await runDemo({
    ...(jobs !== undefined ? { jobs } : {}),
    onView: (v) => {
      if (json) return;
      if (tty) process.stderr.write(`\r${line(v)}`);
      else process.stderr.write(line(v) + '\n');
    },
  });
  if (tty) process.stderr.write('\n');
  if (json) {
    const { settled: _s, logFile: _l, durationSeconds: _d, placeholdersAtEnd: _p, standby: _st, ...core } = summary;
    process.stdout.write(JSON.stringify({ ...core, placeholdersAtEnd: summary.placeholdersAtEnd, standby: summary.standby, settled: summary.settled, durationSeconds: summary.durationSeconds, logFile: summary.logFile }) + '\n');
  } else {
    process.stdout.write(
      [
        `jobs: ${summary.jobsQueued} queued, ${summary.jobsSucceeded} succeeded, ${summary.jobsFailed} failed (by the job itself), ${summary.jobsRejected} rejected at queue time (no AgentSpec offers their demands)`,
        `agents: at most ${summary.maxConcurrentAgents} at once; ${summary.agentsRegisteredAtEnd} registered at the end (standby ${summary.standby}) plus ${summary.placeholdersAtEnd} offline placeholders`,
        `git: ${summary.scaleUpCommits} scale-up commits, ${summary.pruneCommits} prune commits; ${summary.manifestsAtEnd} manifests, ${summary.podsAtEnd} pods at the end`,
        `job wait (queued → running): p50 ${summary.jobWaitSeconds.p50}s, p95 ${summary.jobWaitSeconds.p95}s`,
        `the cluster repo: ${summary.repoDir} (azdo-gitops history ${summary.repoDir} --since all --chart agents.svg reads every scaling decision back); reconciler log: ${summary.logFile}`,
        summary.settled ? 'the pool returned to standby' : 'the pool did NOT return to standby within the time limit',
      ].join('\n') + '\n',
    );
  }
  return summary.settled ? 0 : 1;
}
