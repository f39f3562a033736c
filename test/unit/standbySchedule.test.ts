import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveStandby, scheduledStandby } from '../../reconciler/plan/effectiveStandby.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import { ErrorSink } from '../../reconciler/agentspec/errorSink.ts';
import { parseStandbySchedule, type StandbySchedule } from '../../reconciler/agentspec/standbySchedule.ts';
import { aSpec, observed } from '../helpers/fixtures.ts';

function schedule(raw: unknown, maxAgents = 10): { schedule: StandbySchedule | undefined | null; errors: ReturnType<ErrorSink['errors']['slice']> } {
  const sink = new ErrorSink('agentspecs/linux.yaml');
  return { schedule: parseStandbySchedule(raw, maxAgents, sink), errors: sink.errors.slice() };
}

const OFFICE_HOURS = {
  timeZone: 'Europe/Amsterdam',
  rules: [
    { cron: '0 8 * * 1-5', standby: 3 },
    { cron: '0 18 * * 1-5', standby: 0 },
  ],
};

function officeHours(): StandbySchedule {
  const { schedule: s } = schedule(OFFICE_HOURS);
  assert.ok(s);
  return s;
}

test('no standbySchedule parses to null (the plain standby holds)', () => {
  assert.deepEqual(schedule(undefined), { schedule: null, errors: [] });
});

test('a weekday office-hours schedule holds 3 from 08:00 to 18:00 Amsterdam time, 0 outside', () => {
  const s = officeHours();
  // Monday 30 Nov 2026; Amsterdam is UTC+1 in winter.
  assert.equal(scheduledStandby(s, new Date('2026-11-30T06:59:00Z')), 0, '07:59 local: still Friday evening\'s rule');
  assert.equal(scheduledStandby(s, new Date('2026-11-30T07:00:00Z')), 3, '08:00 local');
  assert.equal(scheduledStandby(s, new Date('2026-11-30T16:59:59Z')), 3, '17:59 local');
  assert.equal(scheduledStandby(s, new Date('2026-11-30T17:00:00Z')), 0, '18:00 local');
});

test('the weekend keeps Friday evening\'s rule', () => {
  assert.equal(scheduledStandby(officeHours(), new Date('2026-12-05T12:00:00Z')), 0);
});

test('summer time moves the switch with the wall clock (UTC+2)', () => {
  const s = officeHours();
  assert.equal(scheduledStandby(s, new Date('2026-07-06T05:59:00Z')), 0);
  assert.equal(scheduledStandby(s, new Date('2026-07-06T06:00:00Z')), 3);
});

test('a rule that never fired within the lookback leaves the plain standby', () => {
  const { schedule: s } = schedule({ rules: [{ cron: '0 8 29 2 *', standby: 4 }] });
  assert.ok(s);
  const spec = aSpec('linux', { standby: 1, standbySchedule: s });
  assert.equal(effectiveStandby(spec, new Date('2026-11-30T12:00:00Z')), 1);
});

test('a monthly rule holds until another rule fires, weeks later', () => {
  const { schedule: s } = schedule({ rules: [{ cron: '0 8 L * *', standby: 4 }, { cron: '0 8 15 * *', standby: 2 }] });
  assert.ok(s);
  const spec = aSpec('linux', { standby: 1, standbySchedule: s });
  assert.equal(effectiveStandby(spec, new Date('2026-12-14T12:00:00Z')), 4, '14 days after 30 November (L)');
  assert.equal(effectiveStandby(spec, new Date('2026-12-15T08:00:00Z')), 2, 'the 15th');
  assert.equal(effectiveStandby(spec, new Date('2026-12-30T12:00:00Z')), 2, '15 days after the 15th');
  assert.equal(effectiveStandby(spec, new Date('2026-12-31T08:00:00Z')), 4, 'the last day');
});

test('a fifth-Monday rule holds through the months that have none', () => {
  // 30 November 2026 is the fifth Monday of its month; the next one is 29 March 2027.
  const { schedule: s } = schedule({ timeZone: 'Europe/Berlin', rules: [{ cron: '0 8 * * 1#5', standby: 3 }, { cron: '0 8 * * 1#1', standby: 1 }] });
  assert.ok(s);
  assert.equal(scheduledStandby(s, new Date('2026-11-30T07:00:00Z')), 3, '08:00 Berlin, 30 November');
  assert.equal(scheduledStandby(s, new Date('2026-12-06T12:00:00Z')), 3, 'until the first Monday of December');
  assert.equal(scheduledStandby(s, new Date('2026-12-07T07:00:00Z')), 1);
  const alone = schedule({ timeZone: 'Europe/Berlin', rules: [{ cron: '0 8 * * 1#5', standby: 3 }] }).schedule;
  assert.ok(alone);
  assert.equal(scheduledStandby(alone, new Date('2027-03-28T12:00:00Z')), 3, 'four months on, no other rule fired');
});

test('a rule holds a year and a day at most: then the plain standby is back', () => {
  // 29 February 2024 08:00 UTC; 367 days later is 2 March 2025 08:00 UTC.
  const { schedule: s } = schedule({ rules: [{ cron: '0 8 29 2 *', standby: 4 }] });
  assert.ok(s);
  const spec = aSpec('linux', { standby: 1, standbySchedule: s });
  assert.equal(effectiveStandby(spec, new Date('2025-03-02T07:59:00Z')), 4, 'within the lookback');
  assert.equal(effectiveStandby(spec, new Date('2025-03-02T08:00:01Z')), 1, 'past it: no rule fired within the lookback');
});

test('when two rules fire in the same minute, the later one in the list wins', () => {
  const { schedule: s } = schedule({ rules: [{ cron: '0 9 * * *', standby: 1 }, { cron: '0 9 * * *', standby: 2 }] });
  assert.equal(scheduledStandby(s!, new Date('2026-11-30T10:00:00Z')), 2);
});

test('the plan scales standby to the scheduled count', () => {
  const spec = aSpec('linux', { standby: 0, standbySchedule: officeHours() });
  const morning = plan(observed({ now: new Date('2026-11-30T09:00:00Z'), specs: [spec] }), { nameSeed: 's' });
  assert.equal(morning.add.filter((a) => a.reason === 'standby').length, 3);
  assert.equal(morning.summaries[0]!.standby, 3);
  const night = plan(observed({ now: new Date('2026-11-30T22:00:00Z'), specs: [spec] }), { nameSeed: 's' });
  assert.equal(night.add.length, 0);
});

test('a bad cron expression names the rule and the field', () => {
  const { schedule: s, errors } = schedule({ rules: [{ cron: '0 25 * * 1-5', standby: 1 }] });
  assert.equal(s, undefined);
  assert.equal(errors[0]!.field, 'spec.standbySchedule.rules[0].cron');
  assert.match(errors[0]!.message, /Invalid value for hour: 25/);
});

test('a 6-field (seconds) cron expression is refused: schedules work in minutes', () => {
  const { errors } = schedule({ rules: [{ cron: '0 0 8 * * 1-5', standby: 1 }] });
  assert.match(errors[0]!.message, /5-field/);
});

test('an unknown time zone and a standby above maxAgents are reported', () => {
  const { errors } = schedule({ timeZone: 'Mars/Olympus', rules: [{ cron: '0 8 * * *', standby: 11 }] }, 10);
  assert.deepEqual(errors.map((e) => e.field), ['spec.standbySchedule.timeZone', 'spec.standbySchedule.rules[0].standby']);
});

test('a scheduled standby never exceeds maxAgents', () => {
  const spec = aSpec('linux', { maxAgents: 2, standbySchedule: officeHours() });
  assert.equal(effectiveStandby(spec, new Date('2026-11-30T09:00:00Z')), 2);
});

/** The standby in force at `utc` for a one-rule-plus-reset schedule: `rule` sets 5, midnight resets to 0. */
function firedBy(rule: string, utc: string, timeZone = 'UTC'): number | undefined {
  const { schedule: s, errors } = schedule({ timeZone, rules: [{ cron: '0 0 * * *', standby: 0 }, { cron: rule, standby: 5 }] });
  assert.deepEqual(errors, [], `${rule} is accepted`);
  return scheduledStandby(s!, new Date(utc));
}

test('L (the last day of the month) fires on Monday 2026-11-30', () => {
  assert.equal(firedBy('0 8 L * *', '2026-11-30T07:59:00Z'), 0);
  assert.equal(firedBy('0 8 L * *', '2026-11-30T08:00:00Z'), 5);
  assert.equal(firedBy('0 8 L * *', '2026-11-29T12:00:00Z'), 0, 'not on the 29th');
  assert.equal(firedBy('0 8 L * *', '2027-02-28T08:30:00Z'), 5, 'February ends on the 28th in 2027');
});

test('# (the nth weekday) fires on the fifth Monday, 2026-11-30, and the second Monday, 2026-11-09', () => {
  assert.equal(firedBy('0 8 * * 1#5', '2026-11-30T08:00:00Z'), 5);
  assert.equal(firedBy('0 8 * * 1#5', '2026-11-23T08:00:00Z'), 0, 'the fourth Monday is not the fifth');
  assert.equal(firedBy('0 8 * * 1#2', '2026-11-09T09:00:00Z'), 5);
  assert.equal(firedBy('0 8 * * 1#2', '2026-11-16T09:00:00Z'), 0);
});

test('5L and 1L (the last Friday, the last Monday of the month)', () => {
  assert.equal(firedBy('0 8 * * 5L', '2026-11-27T08:00:00Z'), 5, 'Friday 27 November');
  assert.equal(firedBy('0 8 * * 5L', '2026-11-20T08:00:00Z'), 0);
  assert.equal(firedBy('0 8 * * 1L', '2026-11-30T08:00:00Z'), 5);
});

test('W (the weekday nearest a day): 15W is Monday 16 November 2026, the 15th being a Sunday', () => {
  assert.equal(firedBy('0 8 15W * *', '2026-11-15T12:00:00Z'), 0);
  assert.equal(firedBy('0 8 15W * *', '2026-11-16T08:00:00Z'), 5);
  assert.equal(firedBy('0 8 15W * *', '2026-10-15T08:00:00Z'), 5, 'Thursday 15 October is itself a weekday');
});

test('ranges with steps: */20 during 9-17/4 on weekdays', () => {
  // 09, 13, 17 o'clock at :00, :20, :40; the reset at midnight.
  assert.equal(firedBy('*/20 9-17/4 * * 1-5', '2026-11-30T09:19:00Z'), 5);
  assert.equal(firedBy('*/20 9-17/4 * * 1-5', '2026-11-30T10:30:00Z'), 5, 'still the 09:40 firing');
  assert.equal(firedBy('*/20 9-17/4 * * 1-5', '2026-11-28T10:00:00Z'), 0, 'Saturday');
  const { schedule: s } = schedule({ rules: [{ cron: '*/20 9-17/4 * * 1-5', standby: 2 }, { cron: '10 10 * * *', standby: 1 }] });
  assert.equal(scheduledStandby(s!, new Date('2026-11-30T10:15:00Z')), 1, '10:10 came after 09:40');
  assert.equal(scheduledStandby(s!, new Date('2026-11-30T13:00:00Z')), 2, '13:00 came after 10:10');
});

test('a DST gap: 02:30 on the last Sunday of March (Europe/Berlin) fires at 03:00 CEST, the first time after the gap', () => {
  // 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 local never exists that day.
  assert.equal(firedBy('30 2 * * *', '2026-03-29T00:59:00Z', 'Europe/Berlin'), 0);
  assert.equal(firedBy('30 2 * * *', '2026-03-29T01:00:00Z', 'Europe/Berlin'), 5);
  assert.equal(firedBy('30 2 * * 0L', '2026-03-29T01:00:00Z', 'Europe/Berlin'), 5, 'the last Sunday of March itself');
});

test('a DST overlap: 02:30 on the last Sunday of October (Europe/Berlin) fires once, at its first occurrence', () => {
  // 2026-10-25 03:00 CEST falls back to 02:00 CET; 02:30 local is 00:30Z and again 01:30Z.
  const { schedule: s } = schedule({ timeZone: 'Europe/Berlin', rules: [{ cron: '30 2 * * *', standby: 5 }, { cron: '0 1-23 * * *', standby: 0 }] });
  assert.equal(scheduledStandby(s!, new Date('2026-10-25T00:29:00Z')), 0);
  assert.equal(scheduledStandby(s!, new Date('2026-10-25T00:30:00Z')), 5, 'the first 02:30 (CEST)');
  assert.equal(scheduledStandby(s!, new Date('2026-10-25T01:00:00Z')), 0, '02:00 CET: the hourly rule');
  assert.equal(scheduledStandby(s!, new Date('2026-10-25T01:30:00Z')), 0, 'the second 02:30 (CET) does not fire again');
});

test('every token validation accepts is evaluated, and what cannot fire is refused', () => {
  for (const good of ['0 8 L * *', '0 8 15W * *', '0 8 * * 1#2', '0 8 * * 5L', '0 8 * * MON-FRI', '0 8 ? * 1', '0 8 1 JAN *']) {
    assert.deepEqual(schedule({ rules: [{ cron: good, standby: 1 }] }).errors, [], good);
  }
  for (const [bad, why] of [['0 8 * * 1#6', /nth weekday/], ['0 0 30 2 *', /never fires/], ['0 8 32 * *', /day/]] as const) {
    const { errors } = schedule({ rules: [{ cron: bad, standby: 1 }] });
    assert.equal(errors[0]?.field, 'spec.standbySchedule.rules[0].cron', bad);
    assert.match(errors[0]!.message, why, bad);
  }
});
