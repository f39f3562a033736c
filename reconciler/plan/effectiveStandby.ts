// Which standby count is in force at `now`: the rule that fired most recently (in the spec's time
// zone) wins; before any rule has fired within the lookback, spec.standby holds. Pure: a function
// of the rules and `now` (cronExpression.ts computes firings without timers).
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { lastFiring } from '../agentspec/cronExpression.ts';
import type { StandbySchedule } from '../agentspec/standbySchedule.ts';

/** A weekly schedule always has fired within the last week (plus a day for DST shifts). */
export const LOOKBACK_MS = 8 * 24 * 3600_000;

/** The standby of the rule that fired last at or before `now`, or undefined when none did within the lookback. */
export function scheduledStandby(schedule: StandbySchedule, now: Date): number | undefined {
  const since = now.getTime() - LOOKBACK_MS;
  let best: { at: number; standby: number } | undefined;
  for (const rule of schedule.rules) {
    const at = lastFiring(rule.cron, schedule.timeZone, now)?.getTime();
    // Later rules win ties (>=): the list order settles two rules firing in the same minute.
    if (at !== undefined && at >= since && (best === undefined || at >= best.at)) best = { at, standby: rule.standby };
  }
  return best?.standby;
}

export function effectiveStandby(spec: AgentSpec, now: Date): number {
  if (!spec.standbySchedule) return spec.standby;
  return Math.min(spec.maxAgents, scheduledStandby(spec.standbySchedule, now) ?? spec.standby);
}
