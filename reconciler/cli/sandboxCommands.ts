// `sandbox serve` and `sandbox demo`.
import type { DemoView } from '../../sandbox/demo/runDemo.ts';
import { untilSignal } from './untilSignal.ts';

export async function sandboxServeCommand(): Promise<number> {
  const { startSandbox } = await import('../../sandbox/index.ts');
  const sandbox = await startSandbox();
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

export async function sandboxDemoCommand(json: boolean, jobs: number | undefined): Promise<number> {
  const { runDemo } = await import('../../sandbox/demo/runDemo.ts');
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
        `the cluster repo: ${summary.repoDir} (git log shows every scaling decision); reconciler log: ${summary.logFile}`,
        summary.settled ? 'the pool returned to standby' : 'the pool did NOT return to standby within the time limit',
      ].join('\n') + '\n',
    );
  }
  return summary.settled ? 0 : 1;
}
