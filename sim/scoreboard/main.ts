// npm run scoreboard -- --trace working-day|quiet-weekend|burst-200|FILE.csv [--svg OUT.svg] [--json] [--interval-seconds N] [--write-csv OUT.csv]
// Replays one job trace under each policy and prints a table (and writes an SVG).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { POLICIES } from './policies.ts';
import { replay, type Score } from './replay.ts';
import { renderSvg } from './svg.ts';
import { GENERATED, parseCsv, toCsv } from './trace.ts';

const { values } = parseArgs({
  options: {
    trace: { type: 'string', default: 'working-day' },
    svg: { type: 'string' },
    json: { type: 'boolean', default: false },
    'interval-seconds': { type: 'string', default: '15' },
    'write-csv': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const name = values.trace;
const gen = GENERATED[name];
const trace = gen ? gen(Number(values.seed)) : parseCsv(basename(name), readFileSync(name, 'utf8'));
if (values['write-csv']) writeFileSync(values['write-csv'], toCsv(trace));
const scores: Score[] = [];
for (const p of POLICIES) scores.push(await replay(trace, p, { intervalMs: Number(values['interval-seconds']) * 1000, seed: Number(values.seed) }));

if (values.json) {
  for (const s of scores) process.stdout.write(JSON.stringify({ ...s, series: undefined }) + '\n');
} else {
  const head = ['policy', 'wait p50 s', 'wait p95 s', 'wait max s', 'idle agent-min', 'agent-min', 'pods started', 'commits/h', 'AzDO calls/h'];
  const rows = scores.map((s) => [s.policy, s.waitP50s, s.waitP95s, s.waitMaxS, s.idleAgentMinutes, s.agentMinutes, s.podsStarted, s.commitsPerHour, s.azdoCallsPerHour].map(String));
  process.stdout.write(`trace ${trace.name}: ${trace.jobs.length} jobs over ${(trace.lengthMs / 3_600_000).toFixed(1)} h${scores.some((s) => s.refused) ? `; refused at queue time: ${scores.map((s) => `${s.policy} ${s.refused}`).join(', ')}` : ''}\n\n`);
  process.stdout.write(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
}
const svgPath = values.svg ?? `scoreboard-${trace.name}.svg`;
writeFileSync(svgPath, renderSvg(trace.name, scores));
process.stderr.write(`wrote ${svgPath}\n`);
