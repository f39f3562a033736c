// `azdo-gitops history`: the scaling decisions recorded in a clone of the cluster repo.
import { writeFile } from 'node:fs/promises';
import { pathsFrom } from '../config/config.ts';
import { readCommitHistory } from '../gitops/commitHistory.ts';
import { renderChartSvg } from '../history/chartSvg.ts';
import { chartStart, commitLines, historyJson, onlySpec, sparklineLines, totalsLines } from '../history/historyReport.ts';
import { formatJobStory, jobStory } from '../history/jobStory.ts';
import { parseScalingCommit, type ScalingCommit } from '../history/scalingCommit.ts';
import { buildTimeline, type BaselinePod } from '../history/timeline.ts';
import { isSpecError, parseManifest } from '../manifests/parseManifest.ts';
import type { HistoryCommand } from './historyArgs.ts';

type Env = Readonly<Record<string, string | undefined>>;

export async function historyCommand(env: Env, cmd: HistoryCommand, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const paths = pathsFrom(env);
  const token = env['GIT_TOKEN'];
  const read = await readCommitHistory(cmd.dir, {
    since: cmd.since,
    agentsPath: paths.agents,
    auth: token ? { username: env['GIT_USERNAME'] || 'azdo-gitops', token } : undefined,
  });
  let commits: ScalingCommit[] = read.commits.map(parseScalingCommit).filter((c): c is ScalingCommit => c !== undefined);
  let baseline: BaselinePod[] = read.baselinePods.flatMap((f) => {
    const m = parseManifest(f.path, f.content);
    return isSpecError(m) ? [] : [{ pod: m.podName, spec: m.specName, kind: (m.jobRequestIds?.length ?? 0) > 0 ? ('job' as const) : ('standby' as const) }];
  });
  if (cmd.spec !== undefined) {
    commits = onlySpec(commits, cmd.spec);
    baseline = baseline.filter((b) => b.spec === cmd.spec);
  }
  const timeline = buildTimeline(commits, baseline, read.start);
  if (read.truncated) process.stderr.write(`azdo-gitops: history: ${read.truncated}\n`);

  if (cmd.job !== undefined) {
    const story = jobStory(commits, cmd.job);
    out(cmd.json ? JSON.stringify(story, null, 2) + '\n' : formatJobStory(story) + '\n');
    return story.events.length > 0 ? 0 : 1;
  }
  if (cmd.chart !== undefined) {
    await writeFile(cmd.chart, renderChartSvg(timeline, { from: chartStart(timeline), end: commits.at(-1)?.time }));
  }
  if (cmd.json) {
    out(JSON.stringify(historyJson(commits, timeline), null, 2) + '\n');
    return 0;
  }
  const window = `${read.start.toISOString()} to ${commits.at(-1)?.time.toISOString() ?? 'now'}`;
  const lines = commits.length === 0
    ? [`no scaling commits from ${read.start.toISOString()}${cmd.spec ? ` for spec ${cmd.spec}` : ''} (widen with --since 7d or --since all)`]
    : [`scaling commits ${window}${cmd.spec ? `, spec ${cmd.spec}` : ''}:`, ...commitLines(commits), '', 'totals:', ...totalsLines(timeline.totals)];
  if (cmd.chart !== undefined) lines.push('', `agents over time (chart written to ${cmd.chart}):`, ...sparklineLines(timeline, 60, { from: chartStart(timeline) }));
  out(lines.join('\n') + '\n');
  return 0;
}
