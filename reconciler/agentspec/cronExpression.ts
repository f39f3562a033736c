// Five-field cron expressions of standby schedules, validated and evaluated by one library (croner),
// so every token validation accepts (`L`, `15W`, `1#2`, `5L`, names, ranges with steps) is one the
// evaluation honours. Pure: no timers are started (a Cron without a callback only computes dates).
import { Cron } from 'croner';

/**
 * Day-of-month AND day-of-week when both are restricted (`0 8 1-7 * 1` is the first Monday), as
 * the hand evaluator before croner did; Vixie cron would fire on either.
 */
const OPTIONS = { mode: '5-part', domAndDow: true } as const;

function compile(expr: string, timeZone: string): Cron {
  return new Cron(expr, { ...OPTIONS, timezone: timeZone });
}

/** Why `expr` is not a usable 5-field cron expression, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  let c: Cron;
  try {
    c = compile(expr, 'UTC');
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, '');
  }
  // A rule that can never fire (30 February) would silently never hold its standby.
  if (c.nextRun(new Date(0)) === null) return 'it never fires (no date matches all its fields)';
  return undefined;
}

/** True for an IANA time zone name the runtime knows (croner itself would accept any name). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * When `expr` last fired in `timeZone` at or before `at`, or undefined when it never did.
 * A time skipped by a DST gap fires at the first wall-clock time after the gap; a time repeated by
 * a DST overlap fires once, at its first occurrence (croner's fixed-time rule).
 */
export function lastFiring(expr: string, timeZone: string, at: Date): Date | undefined {
  // croner's previous runs exclude one exactly at the reference but include one earlier in the
  // same second: 1 ms later makes a rule firing exactly at `at` count as fired.
  return compile(expr, timeZone).previousRuns(1, new Date(at.getTime() + 1))[0];
}
