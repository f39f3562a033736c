import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, demandSatisfied, parseDemand, unmetDemands } from '../../reconciler/plan/demands.ts';
import { caps } from '../helpers/fixtures.ts';

test('wire demands parse as exists, equals and gtVersion', () => {
  assert.deepEqual(parseDemand('docker'), { name: 'docker', op: 'exists' });
  assert.deepEqual(parseDemand('java -equals 17'), { name: 'java', op: 'equals', value: '17' });
  assert.deepEqual(parseDemand('Agent.Version -gtVersion 2.182.1'), { name: 'Agent.Version', op: 'gtVersion', value: '2.182.1' });
  assert.deepEqual(parseDemand('Agent.OS -EQUALS Linux'), { name: 'Agent.OS', op: 'equals', value: 'Linux' });
  assert.deepEqual(parseDemand('label -equals two words'), { name: 'label', op: 'equals', value: 'two words' });
  assert.equal(parseDemand(''), undefined);
  assert.equal(parseDemand('java -contains 17'), undefined);
});

test('exists is satisfied by a bare or a valued capability, case-insensitively', () => {
  assert.ok(demandSatisfied(parseDemand('DOCKER')!, caps('docker')));
  assert.ok(demandSatisfied(parseDemand('java')!, caps('java=17')));
  assert.ok(!demandSatisfied(parseDemand('maven')!, caps('docker')));
});

test('equals compares values case-insensitively and is never met by a bare capability', () => {
  assert.ok(demandSatisfied(parseDemand('Agent.OS -equals linux')!, caps('agent.os=Linux')));
  assert.ok(!demandSatisfied(parseDemand('java -equals 21')!, caps('java=17')));
  assert.ok(!demandSatisfied(parseDemand('docker -equals true')!, caps('docker')));
});

test('Agent.Version -gtVersion is met unless it names a version above the configured agentVersion', () => {
  const d = parseDemand('Agent.Version -gtVersion 2.182.1')!;
  assert.ok(demandSatisfied(d, []));
  assert.ok(demandSatisfied(d, [], { agentVersion: '3.240.0' }));
  assert.ok(demandSatisfied(d, [], { agentVersion: '2.182.1' }));
  assert.ok(!demandSatisfied(d, [], { agentVersion: '2.170.0' }));
  assert.ok(!demandSatisfied(parseDemand('agent.version -gtversion 4.0')!, [], { agentVersion: '3.9' }));
});

test('gtVersion on another capability compares its value as a version', () => {
  assert.ok(demandSatisfied(parseDemand('node -gtVersion 18.2')!, caps('node=20.1.0')));
  assert.ok(!demandSatisfied(parseDemand('node -gtVersion 22')!, caps('node=20.1.0')));
  assert.ok(!demandSatisfied(parseDemand('node -gtVersion 1')!, caps('node')));
});

test('unmetDemands lists what is missing, unparseable demands included', () => {
  assert.deepEqual(unmetDemands(['docker', 'java -equals 17', 'Agent.Version -gtVersion 2.1'], caps('docker', 'java=17')), []);
  assert.deepEqual(unmetDemands(['docker', 'java -equals 21', 'x -weird y'], caps('docker', 'java=17')), ['java -equals 21', 'x -weird y']);
});

test('compareVersions compares numerically part by part', () => {
  assert.equal(compareVersions('2.10', '2.9'), 1);
  assert.equal(compareVersions('2.9', '2.10'), -1);
  assert.equal(compareVersions('2.0.0', '2'), 0);
  assert.equal(compareVersions('3.240.1', '3.240.1'), 0);
});
