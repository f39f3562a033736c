import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecProblemLog } from '../../reconciler/loop/specProblemLog.ts';
import type { SpecError } from '../../reconciler/agentspec/specError.ts';

const err = (file: string, message = 'is wrong'): SpecError => ({ file, field: 'spec.maxAgents', message, hint: 'fix it' });

test('a spec problem is news when it appears or changes, not on every pass', () => {
  const log = new SpecProblemLog();
  assert.deepEqual(log.update([err('a.yaml')], []).errors.map((e) => e.file), ['a.yaml']);
  assert.deepEqual(log.update([err('a.yaml')], []), { errors: [], warnings: [], resolved: [] });
  const changed = log.update([err('a.yaml', 'is wrong differently')], []);
  assert.deepEqual(changed.errors.map((e) => e.message), ['is wrong differently']);
  assert.deepEqual(changed.resolved, ['a.yaml: spec.maxAgents: is wrong (fix it)']);
});

test('warnings are tracked apart from errors; a resolved problem is reported once', () => {
  const log = new SpecProblemLog();
  assert.equal(log.update([], [err('w.yaml')]).warnings.length, 1);
  assert.equal(log.update([], [err('w.yaml')]).warnings.length, 0);
  assert.deepEqual(log.update([], []).resolved, ['w.yaml: spec.maxAgents: is wrong (fix it)']);
  assert.deepEqual(log.update([], []).resolved, []);
});
