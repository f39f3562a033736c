// Reading the scaling history back from commit messages: parsing, the timeline, one job's story,
// the chart and the sparkline. Commit messages are made by the reconciler's own formatter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCommitMessage } from '../../reconciler/gitops/commitMessage.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';
import { parseScalingCommit, type ScalingCommit } from '../../reconciler/history/scalingCommit.ts';
import { buildTimeline, countAt } from '../../reconciler/history/timeline.ts';
import { jobStory, formatJobStory } from '../../reconciler/history/jobStory.ts';
import { renderChartSvg } from '../../reconciler/history/chartSvg.ts';
import { sparkline } from '../../reconciler/history/sparkline.ts';
import { commitLines, historyJson, onlySpec, totalsLines } from '../../reconciler/history/historyReport.ts';
import { parseSince, parseHistoryArgs } from '../../reconciler/cli/historyArgs.ts';

const empty: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };
const T0 = Date.parse('2026-03-02T10:00:00Z');

function commit(i: number, plan: Partial<Plan>): ScalingCommit {
  const parsed = parseScalingCommit({ oid: `${i}`.padStart(40, 'a'), time: new Date(T0 + i * 60_000), message: formatCommitMessage({ ...empty, ...plan }, `pass-${i}`) });
  assert.ok(parsed);
  return parsed;
}
const rm = (podName: string, specName: string, reason: 'pod-succeeded' | 'pod-failed' | 'scale-down', ran?: number) =>
  ({ path: `agents/pods/${specName}/${podName}.yaml`, podName, specName, reason, agentId: undefined, ...(ran !== undefined ? { ranJobRequestId: ran } : {}) });

// A burst: a standby agent, two pods for jobs 11 and 12; job 11 runs on the standby agent, the pod
// started for it runs 12, the one started for 12 fails; a docker pod comes and goes.
const history = [
  commit(0, { add: [{ podName: 'linux-s1', specName: 'linux', reason: 'standby', jobRequestIds: [] }] }),
  commit(1, { add: [
    { podName: 'linux-j1', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [11] },
    { podName: 'linux-j2', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [12] },
    { podName: 'docker-d1', specName: 'docker', reason: 'pending-jobs', jobRequestIds: [13] },
  ] }),
  commit(2, { remove: [rm('linux-s1', 'linux', 'pod-succeeded', 11), rm('linux-j2', 'linux', 'pod-failed')], add: [{ podName: 'linux-s2', specName: 'linux', reason: 'standby', jobRequestIds: [] }] }),
  commit(3, { remove: [rm('linux-j1', 'linux', 'pod-succeeded', 12), rm('docker-d1', 'docker', 'pod-succeeded', 13)] }),
];

test('a scaling commit reads back as the plan that made it: pods, specs, reasons, jobs started for and jobs ran', () => {
  const c = history[2]!;
  assert.deepEqual(c.added, [{ pod: 'linux-s2', spec: 'linux', reason: 'standby', jobRequestIds: [] }]);
  assert.deepEqual(c.removed, [
    { pod: 'linux-j2', spec: 'linux', reason: 'pod-failed', ranJobRequestId: undefined },
    { pod: 'linux-s1', spec: 'linux', reason: 'pod-succeeded', ranJobRequestId: 11 },
  ]);
  assert.equal(c.passId, 'pass-2');
  assert.deepEqual(history[1]!.added.map((a) => a.jobRequestIds), [[13], [11], [12]]);
});

test('a commit without the pass trailer (a person\'s) is not a scaling commit', () => {
  assert.equal(parseScalingCommit({ oid: 'x', time: new Date(T0), message: 'docs: explain the standby schedule\n' }), undefined);
});

test('a trailer without its body line still names the pod (spec and reason unknown)', () => {
  const c = parseScalingCommit({ oid: 'x', time: new Date(T0), message: 'by hand\n\nAzdo-Gitops-Added: linux-x1\nAzdo-Gitops-Pass: p\n' });
  assert.deepEqual(c?.added, [{ pod: 'linux-x1', spec: '', reason: 'unknown', jobRequestIds: [] }]);
});

test('the timeline counts committed pods per spec, standby apart from job-driven, and the totals', () => {
  const t = buildTimeline(history, [], new Date(T0 - 60_000));
  assert.deepEqual(t.points.map((p) => Object.fromEntries(p.bySpec)), [
    {},
    { linux: { standby: 1, job: 0 } },
    { linux: { standby: 1, job: 2 }, docker: { standby: 0, job: 1 } },
    { linux: { standby: 1, job: 1 }, docker: { standby: 0, job: 1 } },
    { linux: { standby: 1, job: 0 } },
  ]);
  assert.deepEqual(t.totals, [
    { spec: 'docker', agentsStarted: 1, jobDrivenStarted: 1, standbyStarted: 0, podsFailed: 0, podsRemoved: 1, jobsRan: 1, peakAgents: 1 },
    { spec: 'linux', agentsStarted: 4, jobDrivenStarted: 2, standbyStarted: 2, podsFailed: 1, podsRemoved: 3, jobsRan: 2, peakAgents: 3 },
  ]);
  assert.equal(countAt(t, 'linux', T0 + 90_000), 3);
  assert.equal(countAt(t, 'docker', T0 + 10 * 60_000), 0);
});

test('pods committed before the window start the timeline (baseline) and are not counted as started', () => {
  const t = buildTimeline(history.slice(3), [{ pod: 'linux-j1', spec: 'linux', kind: 'job' }, { pod: 'linux-s2', spec: 'linux', kind: 'standby' }, { pod: 'docker-d1', spec: 'docker', kind: 'job' }], new Date(T0));
  assert.deepEqual(Object.fromEntries(t.points[0]!.bySpec), { linux: { standby: 1, job: 1 }, docker: { standby: 0, job: 1 } });
  assert.deepEqual(Object.fromEntries(t.points[1]!.bySpec), { linux: { standby: 1, job: 0 } });
  assert.equal(t.totals.find((x) => x.spec === 'linux')?.agentsStarted, 0);
  assert.equal(t.totals.find((x) => x.spec === 'linux')?.peakAgents, 2);
});

test('one job\'s story: the pod started for it, the pod that ran it, and both removals', () => {
  const s = jobStory(history, 12);
  assert.deepEqual(s.startedFor, ['linux-j2']);
  assert.equal(s.ranOn, 'linux-j1');
  const text = formatJobStory(s);
  assert.match(text, /^job 12: pod linux-j2 started for it; ran on linux-j1$/m);
  assert.match(text, /added pod linux-j2 \(linux\) for job 12$/m);
  assert.match(text, /added pod linux-j1 \(linux\) for job 11$/m);
  assert.match(text, /removed pod linux-j2 \(linux\): pod-failed$/m);
  assert.match(text, /removed pod linux-j1 \(linux\): pod-succeeded; its agent ran job 12$/m);
  assert.match(formatJobStory(jobStory(history, 11)), /ran on linux-s1[\s\S]*added pod linux-s1 \(linux\) as standby/);
  assert.match(formatJobStory(jobStory(history, 99)), /^job 99: no scaling commit names it/);
});

test('the text report: one line per commit and spec, and a totals table', () => {
  const lines = commitLines(history);
  assert.equal(lines[1], `2026-03-02T10:01:00Z  ${'1'.padStart(40, 'a').slice(0, 8)}  docker  +1 pending-jobs (jobs 13)`);
  assert.equal(lines[3], `2026-03-02T10:02:00Z  ${'2'.padStart(40, 'a').slice(0, 8)}  linux  +1 standby, −1 pod-failed, −1 pod-succeeded (ran 11)`);
  const table = totalsLines(buildTimeline(history, [], new Date(T0)).totals);
  assert.equal(table[0], 'spec    started  job-driven  standby  failed  removed  jobs ran  peak agents');
  assert.equal(table[2], 'linux         4           2        2       1        3         2            3');
  assert.deepEqual(onlySpec(history, 'docker').map((c) => c.passId), ['pass-1', 'pass-3']);
});

test('the JSON names every job: the pods started for it and the pod that ran it', () => {
  const j = historyJson(history, buildTimeline(history, [], new Date(T0)));
  assert.deepEqual(j.jobs, [
    { jobRequestId: 11, startedFor: ['linux-j1'], ranOn: 'linux-s1' },
    { jobRequestId: 12, startedFor: ['linux-j2'], ranOn: 'linux-j1' },
    { jobRequestId: 13, startedFor: ['docker-d1'], ranOn: 'docker-d1' },
  ]);
  assert.equal(j.commits.length, 4);
});

test('the chart stacks a band per spec and kind, as high as the most pods at once, and escapes names', () => {
  const svg = renderChartSvg(buildTimeline(history, [], new Date(T0)), { title: 'a <b> & c' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polygon /g) ?? []).length, 4);
  for (const [spec, kind] of [['linux', 'job'], ['linux', 'standby'], ['docker', 'job'], ['docker', 'standby']]) {
    assert.match(svg, new RegExp(`<polygon data-spec="${spec}" data-kind="${kind}"`));
  }
  assert.match(svg, /<title>a &lt;b&gt; &amp; c<\/title>/);
  assert.match(svg, />4<\/text>/, 'the y axis reaches the peak of all specs together (3 linux + 1 docker)');
  assert.equal(renderChartSvg(buildTimeline(history, [], new Date(T0))), renderChartSvg(buildTimeline(history, [], new Date(T0))), 'deterministic');
});

test('a sparkline scales to its maximum and leaves zero blank', () => {
  assert.equal(sparkline([0, 1, 2, 4, 8]), ' ▁▂▄█');
  assert.equal(sparkline([1, 1], 4), '▂▂');
});

test('history arguments: durations, ISO times, all; a job alone reads the whole history', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  assert.equal(parseSince('24h', now)?.toISOString(), '2026-03-01T10:00:00.000Z');
  assert.equal(parseSince('7d', now)?.toISOString(), '2026-02-23T10:00:00.000Z');
  assert.equal(parseSince('2026-01-31T08:00:00Z', now)?.toISOString(), '2026-01-31T08:00:00.000Z');
  assert.equal(parseSince('all', now), undefined);
  assert.throws(() => parseSince('yesterday', now), /--since must be a duration/);
  assert.deepEqual(parseHistoryArgs(['repo', '--spec', 'linux', '--json'], now), { name: 'history', dir: 'repo', since: new Date('2026-03-01T10:00:00Z'), spec: 'linux', json: true, job: undefined, chart: undefined });
  assert.equal(parseHistoryArgs(['--job', '12'], now).since, undefined);
  assert.throws(() => parseHistoryArgs(['--chart', 'x.png'], now), /ending in \.svg/);
  assert.throws(() => parseHistoryArgs(['--job', 'abc'], now), /--job must be/);
  assert.throws(() => parseHistoryArgs(['--bogus'], now), /bogus/);
});
