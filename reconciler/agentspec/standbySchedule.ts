// Scheduled standby: per-weekday/hour idle capacity in the spec's time zone, on top of demand.
// Each rule's cron expression says when its standby count starts; it holds until another rule
// fires (Managed DevOps Pools semantics). Validated and evaluated by cronExpression.ts.
import { CRON, SCHEDULE_RULES } from './agentSpecSchema.ts';
import { cronProblem, isTimeZone } from './cronExpression.ts';
import { maxItemsOf, patternOf } from './openApiSchema.ts';
import type { ErrorSink } from './errorSink.ts';
import { isObject } from '../support/guards.ts';
import { show } from './capabilities.ts';

export interface StandbyRule {
  /** A 5-field cron expression cronExpression.ts accepts (minute hour day-of-month month day-of-week). */
  readonly cron: string;
  readonly standby: number;
}

export interface StandbySchedule {
  readonly timeZone: string;
  readonly rules: readonly StandbyRule[];
}

const EXAMPLE = 'standbySchedule: {timeZone: Europe/Amsterdam, rules: [{cron: "0 8 * * 1-5", standby: 3}, {cron: "0 18 * * 1-5", standby: 0}]}';

const FIVE_FIELDS = patternOf(CRON);
const RULES_MAX = maxItemsOf(SCHEDULE_RULES);

export function parseStandbySchedule(given: unknown, maxAgents: number | undefined, sink: ErrorSink): StandbySchedule | undefined | null {
  if (given === undefined) return null;
  if (!isObject(given)) {
    sink.add('spec.standbySchedule', `must be a mapping, got ${show(given)}`, EXAMPLE);
    return undefined;
  }
  const raw = given;
  let ok = true;
  const tz = raw['timeZone'] ?? 'UTC';
  if (typeof tz !== 'string' || !isTimeZone(tz)) {
    sink.add('spec.standbySchedule.timeZone', `must be an IANA time zone, got ${show(tz)}`, 'for example timeZone: Europe/Amsterdam (default UTC)');
    ok = false;
  }
  for (const k of Object.keys(raw)) {
    if (k !== 'timeZone' && k !== 'rules') {
      sink.add(`spec.standbySchedule.${k}`, 'unknown field', 'known fields: timeZone, rules');
      ok = false;
    }
  }
  const rawRules = raw['rules'];
  if (!Array.isArray(rawRules) || rawRules.length === 0) {
    sink.add('spec.standbySchedule.rules', `must be a non-empty list, got ${show(rawRules)}`, EXAMPLE);
    return undefined;
  }
  if (rawRules.length > RULES_MAX) {
    sink.add('spec.standbySchedule.rules', `lists ${rawRules.length} rules, more than ${RULES_MAX}`, 'merge rules with ranges and lists, e.g. "0 8 * * 1-5"');
    return undefined;
  }
  const rules: StandbyRule[] = [];
  rawRules.forEach((r: unknown, i) => {
    const field = `spec.standbySchedule.rules[${i}]`;
    if (!isObject(r)) {
      sink.add(field, `must be a mapping {cron, standby}, got ${show(r)}`, '{cron: "0 8 * * 1-5", standby: 3}');
      ok = false;
      return;
    }
    const expr = r['cron'];
    const standby = r['standby'];
    if (typeof expr !== 'string' || !FIVE_FIELDS.test(expr)) {
      sink.add(`${field}.cron`, `must be a 5-field cron expression (minute hour day-of-month month day-of-week), got ${show(expr)}`, 'for example "0 8 * * 1-5" (08:00 on weekdays)');
      ok = false;
    } else {
      const problem = cronProblem(expr.trim());
      if (problem !== undefined) {
        sink.add(`${field}.cron`, `is not a valid cron expression: ${problem}`, 'for example "0 8 * * 1-5" (08:00 on weekdays), "0 8 L * *" (the last day of the month) or "0 8 * * 1#1" (the first Monday)');
        ok = false;
      }
    }
    if (typeof standby !== 'number' || !Number.isInteger(standby) || standby < 0 || (maxAgents !== undefined && standby > maxAgents)) {
      sink.add(`${field}.standby`, `must be a whole number from 0 to spec.maxAgents${maxAgents !== undefined ? ` (${maxAgents})` : ''}, got ${show(standby)}`, 'for example standby: 2');
      ok = false;
    }
    if (ok && typeof expr === 'string' && typeof standby === 'number') {
      rules.push({ cron: expr.trim(), standby });
    }
  });
  return ok ? { timeZone: tz as string, rules } : undefined;
}
