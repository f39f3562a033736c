// `azdo-gitops history` on cluster repos with 100 … 5000 scaling commits: reading the commits
// and the pods before the window from a local clone (gitops/commitHistory.ts), then parsing,
// the timeline, the totals and the SVG (history/). Commits are written by git fast-import with
// the reconciler's own commit messages, each adding a pod for a job or removing one that ran
// its job, up to 20 pods at once. Prints a Markdown table. Run: npx node bench/historyRead.ts
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../sandbox/git/index.ts';
import { formatCommitMessage } from '../reconciler/gitops/commitMessage.ts';
import { readCommitHistory } from '../reconciler/gitops/commitHistory.ts';
import { renderChartSvg } from '../reconciler/history/chartSvg.ts';
import { historyJson } from '../reconciler/history/historyReport.ts';
import { parseScalingCommit, type ScalingCommit } from '../reconciler/history/scalingCommit.ts';
import { buildTimeline } from '../reconciler/history/timeline.ts';
import type { Plan } from '../reconciler/plan/changes.ts';
import { median, table } from './wireBytes.ts';
import { fastImport } from './fastImport.ts';

const SIZES = [100, 1000, 5000];
const RUNS = 3;
const empty: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };


/** `count` scaling commits: a pod added for job i, or the oldest live pod removed having run its job. */
function scalingCommits(count: number): string {
  const parts: string[] = [];
  const live: { pod: string; job: number }[] = [];
  let clock = 1_767_225_600;
  for (let i = 0; i < count; i++) {
    const removing = live.length >= 20 || (live.length > 0 && i % 3 === 2);
    let plan: Plan;
    let change: string;
    if (removing) {
      const p = live.shift()!;
      plan = { ...empty, remove: [{ path: `agents/pods/linux/${p.pod}.yaml`, podName: p.pod, specName: 'linux', reason: 'pod-succeeded', agentId: undefined, ranJobRequestId: p.job }] };
      change = `D agents/pods/linux/${p.pod}.yaml`;
    } else {
      const pod = `linux-${i.toString(36).padStart(6, '0')}`;
      live.push({ pod, job: i });
      plan = { ...empty, add: [{ podName: pod, specName: 'linux', reason: 'pending-jobs', jobRequestIds: [i] }] };
      const file = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${pod}\n`;
      change = `M 100644 inline agents/pods/linux/${pod}.yaml\ndata ${Buffer.byteLength(file)}\n${file}`;
    }
    const msg = formatCommitMessage(plan, `pass-${i}`);
    parts.push('commit refs/heads/main', `committer azdo-gitops <azdo-gitops@users.noreply.local> ${clock++} +0000`, `data ${Buffer.byteLength(msg)}`, msg, change, '');
  }
  return parts.join('\n') + '\n';
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

const rows: (string | number)[][] = [['commits', 'read git ms', 'parse + timeline ms', 'svg ms', 'svg KiB', 'json KiB']];
const tmp = await mkdtemp(path.join(os.tmpdir(), 'azdo-gitops-bench-history-'));
try {
  for (const n of SIZES) {
    process.stderr.write(`${n} commits…\n`);
    const bare = path.join(tmp, `h${n}.git`);
    await runGit(['init', '--quiet', '--bare', '--initial-branch=main', bare], tmp);
    await fastImport(bare, scalingCommits(n));
    const clone = path.join(tmp, `c${n}`);
    await runGit(['clone', '--quiet', bare, clone], tmp);
    const read: number[] = [];
    const parse: number[] = [];
    const draw: number[] = [];
    let svgBytes = 0;
    let jsonBytes = 0;
    for (let r = 0; r < RUNS; r++) {
      let t = process.hrtime.bigint();
      const h = await readCommitHistory(clone, { since: undefined, agentsPath: 'agents' });
      read.push(ms(t));
      t = process.hrtime.bigint();
      const commits = h.commits.map(parseScalingCommit).filter((c): c is ScalingCommit => c !== undefined);
      const timeline = buildTimeline(commits, [], h.start);
      jsonBytes = JSON.stringify(historyJson(commits, timeline)).length;
      parse.push(ms(t));
      t = process.hrtime.bigint();
      svgBytes = renderChartSvg(timeline).length;
      draw.push(ms(t));
      if (commits.length !== n) throw new Error(`read ${commits.length} scaling commits of ${n}`);
    }
    rows.push([n, median(read).toFixed(0), median(parse).toFixed(0), median(draw).toFixed(0), (svgBytes / 1024).toFixed(0), (jsonBytes / 1024).toFixed(0)]);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
process.stdout.write(table(rows) + '\n');
