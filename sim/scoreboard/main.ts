// npm run scoreboard -- --trace working-day|quiet-weekend|burst-200|FILE.csv [--svg OUT.svg] [--json] [--interval-seconds N] [--write-csv OUT.csv] [--seed N]
//   [--policies azdo-gitops,keda-scaledjob] [--variant interval=30,trigger=off]… [--sweep interval=5,10,15,30[;trigger=off]]
// Replays one job trace under each policy and prints a table (and writes an SVG). Variants and
// sweeps add rows of this project's policy with other settings (see variants.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { POLICIES, type PolicyName } from './policies.ts';
import { replay, SCOREBOARD_SPECS, type ReplayOptions, type Score } from './replay.ts';
import { renderSvg } from './svg.ts';
import { GENERATED, parseCsv, toCsv } from './trace.ts';
import { defaultVariant, expandSweep, parseVariant, VariantError } from './variants.ts';

const { values } = parseArgs({
  options: {
    trace: { type: 'string', default: 'working-day' },
    svg: { type: 'string' },
    json: { type: 'boolean', default: false },
    'interval-seconds': { type: 'string' },
    'write-csv': { type: 'string' },
    seed: { type: 'string', default: '1' },
    policies: { type: 'string' },
    variant: { type: 'string', multiple: true },
    sweep: { type: 'string', multiple: true },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const seed = Number(values.seed);
const policies = (values.policies?.split(',').map((p) => p.trim()) ?? [...POLICIES]) as PolicyName[];
const unknown = policies.filter((p) => !(POLICIES as readonly string[]).includes(p));
if (unknown.length) fail(`unknown policy ${unknown.join(', ')}: --policies takes a comma-separated list of ${POLICIES.join(', ')}`);

const linuxStandby = SCOREBOARD_SPECS.find((s) => s.name === 'linux')!.standby;
const base = values['interval-seconds'] ? parseVariantOrFail(`interval=${values['interval-seconds']}`).variant : defaultVariant(linuxStandby);
function parseVariantOrFail(text: string, on = defaultVariant(linuxStandby)) {
  try {
    return parseVariant(text, on);
  } catch (err) {
    if (err instanceof VariantError) fail(err.message);
    throw err;
  }
}
let variantTexts: string[];
try {
  variantTexts = [...(values.variant ?? []), ...(values.sweep ?? []).flatMap(expandSweep)];
} catch (err) {
  if (err instanceof VariantError) fail(err.message);
  throw err;
}
const variants = variantTexts.map((t) => parseVariantOrFail(t, base));

const name = values.trace;
const gen = GENERATED[name];
const trace = gen ? gen(seed) : parseCsv(basename(name), readFileSync(name, 'utf8'));
if (values['write-csv']) writeFileSync(values['write-csv'], toCsv(trace));

// One row per policy; this project's policy once with its defaults, then once per variant.
const runs: Array<{ policy: PolicyName; opts: ReplayOptions }> = [];
for (const p of policies) {
  runs.push({ policy: p, opts: { seed, variant: base } });
  if (p === 'azdo-gitops') for (const v of variants) runs.push({ policy: p, opts: { seed, variant: v.variant, label: `azdo-gitops ${v.label}` } });
}
const scores: Score[] = [];
for (const r of runs) {
  const s = await replay(trace, r.policy, r.opts);
  scores.push(s);
  // A sweep runs for minutes: each row as soon as it is known.
  if (variants.length) process.stderr.write(`${s.label}: wait p95 ${s.waitP95s} s, idle ${s.idleAgentMinutes} agent-min\n`);
}

if (values.json) {
  for (const s of scores) process.stdout.write(JSON.stringify({ ...s, trace: trace.name, seed, series: undefined }) + '\n');
} else {
  const head = ['policy', 'wait p50 s', 'wait p95 s', 'wait max s', 'idle agent-min', 'agent-min', 'pods started', 'commits/h', 'AzDO calls/h'];
  const rows = scores.map((s) => [s.label, s.waitP50s, s.waitP95s, s.waitMaxS, s.idleAgentMinutes, s.agentMinutes, s.podsStarted, s.commitsPerHour, s.azdoCallsPerHour].map(String));
  process.stdout.write(`trace ${trace.name}: ${trace.jobs.length} jobs over ${(trace.lengthMs / 3_600_000).toFixed(1)} h${scores.some((s) => s.refused) ? `; refused at queue time: ${scores.map((s) => `${s.label} ${s.refused}`).join(', ')}` : ''}\n\n`);
  process.stdout.write(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
}
// A sweep writes its SVG only when asked (--svg): its many panels are for reading, not for the README.
if (values.svg || variants.length === 0) {
  const svgPath = values.svg ?? `scoreboard-${trace.name}.svg`;
  writeFileSync(svgPath, renderSvg(trace.name, scores));
  process.stderr.write(`wrote ${svgPath}\n`);
}
