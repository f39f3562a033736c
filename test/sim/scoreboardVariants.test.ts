// The scoreboard's variants of this project's policy: what `--variant` and `--sweep` accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultVariant, expandSweep, parseVariant, VariantError } from '../../sim/scoreboard/variants.ts';

const base = defaultVariant(2);

test('the default variant is the config table default interval, the pod-completion pass and SYNC_REQUEST on', () => {
  assert.deepEqual(base, { intervalSeconds: 15, passOnPodCompletion: true, syncRequest: true, linuxStandby: 2 });
});

test('a variant changes only the settings it names, and is labelled as written', () => {
  assert.deepEqual(parseVariant('interval=30,trigger=off', base), { label: 'interval=30,trigger=off', variant: { ...base, intervalSeconds: 30, passOnPodCompletion: false } });
  assert.deepEqual(parseVariant('sync=off, standby=0', base).variant, { ...base, syncRequest: false, linuxStandby: 0 });
});

test('a sweep is one variant per value, with the fixed settings after ; on each', () => {
  assert.deepEqual(expandSweep('interval=5,10,30'), ['interval=5', 'interval=10', 'interval=30']);
  assert.deepEqual(expandSweep('standby=0,1;trigger=off'), ['standby=0,trigger=off', 'standby=1,trigger=off']);
});

test('an unknown setting or value is refused with what is accepted', () => {
  assert.throws(() => parseVariant('debounce=100', base), (e) => e instanceof VariantError && /unknown setting "debounce".*interval=<seconds>/.test(e.message));
  assert.throws(() => parseVariant('interval=0', base), /interval must be a whole number ≥ 1, got "0"/);
  assert.throws(() => parseVariant('trigger=yes', base), /trigger must be on or off/);
  assert.throws(() => expandSweep('nonsense'), /--sweep takes KEY=V1,V2/);
});
