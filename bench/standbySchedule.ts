// Plan-time cost of standby schedules: scheduledStandby (croner's previous firing per rule, in the
// spec's time zone) for typical and worst-case rules, over a year of evaluation instants.
// Prints a Markdown table. Run: npx node bench/standbySchedule.ts
import { ErrorSink } from '../reconciler/agentspec/errorSink.ts';
import { parseStandbySchedule } from '../reconciler/agentspec/standbySchedule.ts';
import { scheduledStandby } from '../reconciler/plan/effectiveStandby.ts';

const CASES: readonly (readonly [string, readonly string[]])[] = [
  ['office hours (2 rules)', ['0 8 * * 1-5', '0 18 * * 1-5']],
  ['monthly L and # (2 rules)', ['0 8 L * *', '0 8 * * 1#5']],
  ['steps (1 rule)', ['*/5 9-17/2 * * 1-5']],
  ['rare: 29 February (1 rule)', ['0 8 29 2 *']],
  ['rarer: 29 February on a Monday (1 rule)', ['0 8 29 2 1']],
  ['ten rules', ['0 6 * * 1', '0 7 * * 2', '0 8 * * 3', '0 9 * * 4', '0 10 * * 5', '0 11 L * *', '0 12 15W * *', '0 13 * * 1#2', '0 14 * * 5L', '30 2 * * *']],
];
const SAMPLES = 2000;
const YEAR = 365 * 24 * 3600_000;

const rows: string[] = ['| schedule | µs per evaluation (median) | p99 µs |', '|---|---:|---:|'];
for (const [label, crons] of CASES) {
  const sink = new ErrorSink('bench.yaml');
  const s = parseStandbySchedule({ timeZone: 'Europe/Berlin', rules: crons.map((cron) => ({ cron, standby: 1 })) }, 10, sink);
  if (!s || sink.count > 0) throw new Error(`${label}: ${JSON.stringify(sink.errors)}`);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const now = new Date(start + Math.floor((i / SAMPLES) * YEAR) + (i % 60) * 61_000);
    const t0 = performance.now();
    scheduledStandby(s, now);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  rows.push(`| ${label} | ${times[Math.floor(SAMPLES / 2)]!.toFixed(0)} | ${times[Math.floor(SAMPLES * 0.99)]!.toFixed(0)} |`);
}
console.log(rows.join('\n'));
