// Which standby count is in force at `now`: the rule that fired most recently (in the spec's time
// zone) wins; before any rule has fired within a week, spec.standby holds. Pure.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { StandbyRule, StandbySchedule } from '../agentspec/standbySchedule.ts';

const MINUTE = 60_000;
/** A weekly schedule always has fired within the last week (plus a day for DST shifts). */
const LOOKBACK_MINUTES = 8 * 24 * 60;
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

interface LocalTime {
  readonly minute: number;
  readonly hour: number;
  readonly day: number;
  readonly month: number;
  readonly weekday: number;
}

function localTime(fmt: Intl.DateTimeFormat, t: number): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour) % 24,
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
  };
}

const hourMatches = (r: StandbyRule, l: LocalTime): boolean =>
  r.hours.has(l.hour) && r.daysOfMonth.has(l.day) && r.months.has(l.month) && r.daysOfWeek.has(l.weekday);

/** The standby of the rule that fired last at or before `now`, or undefined when none did within the lookback. */
export function scheduledStandby(schedule: StandbySchedule, now: Date): number | undefined {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timeZone,
    hourCycle: 'h23',
    minute: 'numeric',
    hour: 'numeric',
    day: 'numeric',
    month: 'numeric',
    weekday: 'short',
  });
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE;
  const stop = t - LOOKBACK_MINUTES * MINUTE;
  while (t >= stop) {
    const l = localTime(fmt, t);
    const candidates = schedule.rules.filter((r) => hourMatches(r, l));
    if (candidates.length === 0) {
      // Nothing fires in this local hour: jump to the last minute of the previous one.
      t -= (l.minute + 1) * MINUTE;
      continue;
    }
    // Within a matching hour, walk back minute by minute; later rules win ties.
    for (let m = l.minute; m >= 0; m--, t -= MINUTE) {
      const hit = candidates.filter((r) => r.minutes.has(m)).at(-1);
      if (hit) return hit.standby;
    }
  }
  return undefined;
}

export function effectiveStandby(spec: AgentSpec, now: Date): number {
  if (!spec.standbySchedule) return spec.standby;
  return Math.min(spec.maxAgents, scheduledStandby(spec.standbySchedule, now) ?? spec.standby);
}
