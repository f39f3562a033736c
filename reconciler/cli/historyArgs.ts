// `history` arguments: [DIR] [--since 24h|7d|all|ISO time] [--spec NAME] [--json] [--job ID] [--chart FILE.svg].
import { parseArgs } from 'node:util';

export interface HistoryCommand {
  readonly name: 'history';
  readonly dir: string;
  /** undefined: the whole history. */
  readonly since: Date | undefined;
  readonly spec: string | undefined;
  readonly json: boolean;
  readonly job: number | undefined;
  readonly chart: string | undefined;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
export const DEFAULT_SINCE = '24h';

/** `24h`, `90m`, `7d`, `2w` before `now`; an ISO time; `all` (undefined). Throws a message for anything else. */
export function parseSince(raw: string, now: Date): Date | undefined {
  if (raw === 'all') return undefined;
  const rel = /^(\d+)([mhdw])$/.exec(raw);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  const t = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(t)) return new Date(t);
  throw new Error(`--since must be a duration (90m, 24h, 7d, 2w), an ISO time (2026-01-31T08:00:00Z) or "all", got "${raw}"`);
}

/** @param argv the arguments after `history`. Throws an Error whose message is the problem. */
export function parseHistoryArgs(argv: readonly string[], now: Date): HistoryCommand {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      since: { type: 'string' },
      spec: { type: 'string' },
      json: { type: 'boolean' },
      job: { type: 'string' },
      chart: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new Error(`history takes at most one directory (a clone of the cluster repo), got "${positionals.join(' ')}"`);
  const job = values.job;
  if (job !== undefined && !/^[1-9]\d*$/.test(job)) throw new Error(`--job must be a job request id (a whole number), got "${job}"`);
  if (values.chart !== undefined && !values.chart.endsWith('.svg')) throw new Error(`--chart writes an SVG file: give a name ending in .svg, got "${values.chart}"`);
  return {
    name: 'history',
    dir: positionals[0] ?? '.',
    // One job's story is worth reading however old it is; the scaling log defaults to a day.
    since: parseSince(values.since ?? (job !== undefined ? 'all' : DEFAULT_SINCE), now),
    spec: values.spec,
    json: values.json ?? false,
    job: job === undefined ? undefined : Number(job),
    chart: values.chart,
  };
}
