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
  assert.match(errors[0]!.message, /25 is a invalid expression for hour/);
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
