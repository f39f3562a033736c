// Which standby count is in force at `now`: the rule that fired most recently (in the spec's time
// zone) wins and holds until another rule fires, however long that is (a monthly rule holds a
// month); before any rule has fired within the lookback, spec.standby holds. Pure: a function of
// the rules and `now` (cronExpression.ts computes firings without timers).
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { lastFiring } from '../agentspec/cronExpression.ts';
import type { StandbySchedule } from '../agentspec/standbySchedule.ts';

/**
 * Any rule that fires every year (every rule but one on 29 February or a weekday of a fixed date)
 * has fired within the last 366 days; a day more for DST and time-zone offsets. A rarer rule holds
 * at most this long: a standby decided years ago is not a schedule anyone is reading any more.
 */
export const LOOKBACK_MS = 367 * 24 * 3600_000;

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
