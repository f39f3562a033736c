// Job traces for the scoreboard: the CSV a user exports, and the generated ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burst200, parseCsv, toCsv, workingDay } from '../../sim/scoreboard/trace.ts';

test('a CSV of ISO times reads as offsets from the first job, with demands split on ;', () => {
  const t = parseCsv('h.csv', 'queuedAt,durationSeconds,demands\n2026-03-02T08:03:40Z,95,\n2026-03-02T08:03:11Z,240,docker;java -equals 17\n');
  assert.deepEqual(t.jobs, [
    { atMs: 0, durationMs: 240_000, demands: ['docker', 'java -equals 17'] },
    { atMs: 29_000, durationMs: 95_000, demands: [] },
  ]);
  assert.ok(t.lengthMs >= 240_000);
});

test('a CSV row that is not queuedAt,durationSeconds,demands is refused with its line number', () => {
  assert.throws(() => parseCsv('h.csv', 'queuedAt,durationSeconds,demands\n0,60,\nyesterday,60,\n'), /h\.csv line 3: expected queuedAt/);
  assert.throws(() => parseCsv('h.csv', 'queuedAt,durationSeconds,demands\n'), /no jobs/);
});

test('a generated trace survives the CSV round trip', () => {
  const t = burst200(3);
  const back = parseCsv('b.csv', toCsv(t));
  assert.equal(back.jobs.length, 200);
  assert.deepEqual(back.jobs.map((j) => j.demands), t.jobs.map((j) => j.demands));
});

test('the working day ramps in the morning, dips at lunch and has merge bursts', () => {
  const t = workingDay(1);
  const perHour = (h: number) => t.jobs.filter((j) => j.atMs >= (h - 7) * 3_600_000 && j.atMs < (h - 6) * 3_600_000).length;
  assert.ok(perHour(7) < perHour(10), `07:00 ${perHour(7)} < 10:00 ${perHour(10)}`);
  assert.ok(perHour(12) < perHour(10) && perHour(12) < perHour(15), `lunch ${perHour(12)}`);
  assert.ok(perHour(11) > perHour(10), `the 11:00 burst ${perHour(11)} > ${perHour(10)}`);
  assert.deepEqual(workingDay(1), t, 'the same seed, the same trace');
});
