// `azdo-gitops history` on the cluster repo a sandbox demo leaves behind: every job the emulated
// service ran is accounted for (the pod started for it, and the pod whose agent ran it), one
// job's story is told, and the chart shows the burst.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../../sandbox/azdo/adminClient.ts';
import { runDemo } from '../../../sandbox/demo/runDemo.ts';
import { defaultTrace } from '../../../sandbox/demo/trace.ts';
import { startSandbox } from '../../../sandbox/index.ts';
import { runCli } from '../../helpers/runCli.ts';
import { SOURCE_ENTRY } from '../../helpers/world.ts';

test('history on the demo\'s repo accounts for every job the demo ran, tells one job\'s story and charts the burst', async () => {
  const sandbox = await startSandbox();
  const out = mkdtempSync(join(tmpdir(), 'azdo-gitops-history-'));
  try {
    const summary = await runDemo({ sandbox, trace: defaultTrace(8), timeoutMs: 120_000 });
    assert.ok(summary.settled, 'the demo settled');
    const ran = (await new AdminClient(sandbox.info.adminUrl).state()).jobs.filter((j) => j.receiveTime !== undefined).map((j) => j.requestId).sort((a, b) => a - b);
    assert.ok(ran.length >= 8, `the demo ran its jobs (${ran.length})`);
    const env = { PATH: process.env.PATH ?? '/usr/bin' };

    const json = await runCli(SOURCE_ENTRY, ['history', summary.repoDir, '--since', 'all', '--json'], { env, timeoutMs: 60_000 });
    assert.equal(json.code, 0, json.stderr);
    const h = JSON.parse(json.stdout) as { jobs: { jobRequestId: number; startedFor: string[]; ranOn: string | null }[]; totals: { spec: string; agentsStarted: number; peakAgents: number }[] };
    const byId = new Map(h.jobs.map((j) => [j.jobRequestId, j]));
    for (const id of ran) assert.ok(byId.get(id)?.ranOn, `job ${id} ran, and history names the pod that ran it`);
    const started = h.totals.reduce((n, t) => n + t.agentsStarted, 0);
    assert.ok(started >= ran.length, `each agent runs one job: ${started} agents started for ${ran.length} jobs`);

    const story = await runCli(SOURCE_ENTRY, ['history', summary.repoDir, '--job', String(ran[0])], { env, timeoutMs: 60_000 });
    assert.equal(story.code, 0, story.stderr);
    assert.match(story.stdout, new RegExp(`^job ${ran[0]}: .*ran on ${byId.get(ran[0]!)!.ranOn}$`, 'm'));
    assert.match(story.stdout, new RegExp(`removed pod ${byId.get(ran[0]!)!.ranOn} \\(\\w+\\): pod-succeeded; its agent ran job ${ran[0]}$`, 'm'));

    const svgPath = join(out, 'agents.svg');
    const text = await runCli(SOURCE_ENTRY, ['history', summary.repoDir, '--since', 'all', '--chart', svgPath], { env, timeoutMs: 60_000 });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^totals:$/m);
    // One line per spec, all scaled to the busiest one (which of the demo's specs that is depends
    // on timing): its line reaches the full block.
    const lines = [...text.stdout.matchAll(/^(\S+) +│(.*)│ peak (\d+)$/gm)].map((m) => ({ spec: m[1]!, chart: m[2]!, peak: Number(m[3]) }));
    assert.deepEqual(lines.map((l) => l.spec).sort(), [...new Set(h.totals.map((t) => t.spec))].sort(), 'a sparkline per spec');
    const busiest = lines.reduce((a, b) => (b.peak > a.peak ? b : a));
    assert.match(busiest.chart, /█/, `the busiest spec (${busiest.spec}) reaches the top`);
    const svg = readFileSync(svgPath, 'utf8');
    const peak = Math.max(...h.totals.map((t) => t.peakAgents));
    assert.ok(peak >= 2, `a burst: ${peak} agents at once for one spec`);
    assert.match(svg, /<polygon data-spec="linux" data-kind="job"/);
    assert.match(svg, new RegExp(`>${peak}</text>`), 'the y axis reaches the burst');
  } finally {
    await sandbox.close();
    rmSync(out, { recursive: true, force: true });
  }
});
