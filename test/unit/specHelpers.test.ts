import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../reconciler/agentspec/duration.ts';
import { isDns1123Label, isLabelValue, toDns1123Label, toLabelValue } from '../../reconciler/agentspec/dns1123.ts';
import { formatCapability, parseCapability } from '../../reconciler/agentspec/capabilities.ts';
import { canonicalJson, shortHash } from '../../reconciler/support/canonicalJson.ts';
import { formatSpecError } from '../../reconciler/agentspec/specError.ts';

test('durations: 90s, 10m, 1h, 1h30m, bare seconds; junk is undefined', () => {
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('10m'), 600);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('120'), 120);
  assert.equal(parseDuration(45), 45);
  for (const bad of ['', '0s', '-5m', '10 minutes', '1d', 'm', 1.5, 0, null, undefined, {}]) assert.equal(parseDuration(bad), undefined, String(bad));
  assert.equal(formatDuration(600), '10m');
  assert.equal(formatDuration(7200), '2h');
  assert.equal(formatDuration(90), '90s');
});

test('DNS-1123 labels: validation and normalization', () => {
  assert.ok(isDns1123Label('linux-01'));
  for (const bad of ['Linux', '-a', 'a-', 'a_b', '', 'a'.repeat(64)]) assert.ok(!isDns1123Label(bad), bad);
  assert.equal(toDns1123Label('My_Agents.Linux'), 'my-agents-linux');
  assert.equal(toDns1123Label('--Abc--'), 'abc');
  assert.equal(toDns1123Label('a'.repeat(70)).length, 63);
  assert.equal(toDns1123Label('ab-cd', 3), 'ab');
  assert.equal(toDns1123Label('___'), '');
});

test('label values: pool names with spaces become label-safe', () => {
  assert.equal(toLabelValue('My Pool (k8s)'), 'My-Pool--k8s');
  assert.ok(isLabelValue(toLabelValue('My Pool (k8s)')));
  assert.ok(isLabelValue(toLabelValue('x'.repeat(100))));
  assert.ok(!isLabelValue('a b'));
});

test('capabilities: bare and name=value; invalid names are rejected', () => {
  assert.deepEqual(parseCapability('docker'), { ok: true, capability: { name: 'docker', value: undefined } });
  assert.deepEqual(parseCapability('java=17'), { ok: true, capability: { name: 'java', value: '17' } });
  assert.deepEqual(parseCapability('Agent.OS=Linux'), { ok: true, capability: { name: 'Agent.OS', value: 'Linux' } });
  assert.deepEqual(parseCapability('opts=a=b'), { ok: true, capability: { name: 'opts', value: 'a=b' } });
  for (const bad of ['', '1abc', 'has space', 'java=', 'AZP_URL', 7]) assert.equal(parseCapability(bad).ok, false, String(bad));
  assert.equal(formatCapability({ name: 'java', value: '17' }), 'java=17');
  assert.equal(formatCapability({ name: 'docker', value: undefined }), 'docker');
});

test('canonical JSON sorts keys deeply and drops undefined; shortHash is 10 hex chars', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } }), '{"a":{"d":[{"x":2,"y":1}]},"b":1}');
  assert.equal(shortHash({ a: 1, b: 2 }), shortHash({ b: 2, a: 1 }));
  assert.match(shortHash('x'), /^[0-9a-f]{10}$/);
});

test('formatSpecError: file: field: message (hint)', () => {
  assert.equal(formatSpecError({ file: 'f.yaml', field: 'spec.x', message: 'bad', hint: 'fix' }), 'f.yaml: spec.x: bad (fix)');
  assert.equal(formatSpecError({ file: 'f.yaml', field: '', message: 'bad', hint: 'fix' }), 'f.yaml: bad (fix)');
});
