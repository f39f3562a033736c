import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import { Metrics } from '../../reconciler/observability/metrics.ts';
import { recordPass } from '../../reconciler/observability/passMetrics.ts';

test('an empty registry renders a single newline', () => {
  assert.equal(new Metrics().render(), '\n');
});

test('a counter renders HELP, TYPE and its value; inc adds', () => {
  const m = new Metrics();
  m.inc('azdo_gitops_passes_total', 'Passes run.');
  m.inc('azdo_gitops_passes_total', 'Passes run.', {}, 2);
  assert.equal(m.render(), '# HELP azdo_gitops_passes_total Passes run.\n# TYPE azdo_gitops_passes_total counter\nazdo_gitops_passes_total 3\n');
});

test('counters are kept per label set', () => {
  const m = new Metrics();
  m.inc('x_total', 'h', { result: 'ok' });
  m.inc('x_total', 'h', { result: 'error' });
  m.inc('x_total', 'h', { result: 'ok' });
  const lines = m.render().split('\n');
  assert.ok(lines.includes('x_total{result="ok"} 2'));
  assert.ok(lines.includes('x_total{result="error"} 1'));
});

test('a gauge is set, not added', () => {
  const m = new Metrics();
  m.set('agents', 'Agents.', { spec: 'linux' }, 3);
  m.set('agents', 'Agents.', { spec: 'linux' }, 1);
  assert.match(m.render(), /# TYPE agents gauge\nagents\{spec="linux"\} 1\n$/);
});

test('labels are sorted by name, so the order given does not matter', () => {
  const m = new Metrics();
  m.set('g', 'h', { spec: 'a', pool: 'p' }, 1);
  m.set('g', 'h', { pool: 'p', spec: 'a' }, 2);
  assert.match(m.render(), /\ng\{pool="p",spec="a"\} 2\n$/);
});

test('label values escape backslash, double quote and newline', () => {
  const m = new Metrics();
  m.set('g', 'h', { v: 'a\\b"c\nd' }, 1);
  assert.ok(m.render().includes('g{v="a\\\\b\\"c\\nd"} 1'));
});

test('series render sorted by metric name', () => {
  const m = new Metrics();
  m.set('b_metric', 'B', {}, 1);
  m.set('a_metric', 'A', {}, 1);
  const names = m.render().split('\n').filter((l) => l.startsWith('# HELP')).map((l) => l.split(' ')[2]);
  assert.deepEqual(names, ['a_metric', 'b_metric']);
});

test('reset drops every label set of a gauge, so vanished specs disappear', () => {
  const m = new Metrics();
  m.set('agents', 'Agents.', { spec: 'old' }, 2);
  m.reset('agents');
  m.set('agents', 'Agents.', { spec: 'new' }, 1);
  const out = m.render();
  assert.ok(!out.includes('spec="old"'));
  assert.ok(out.includes('agents{spec="new"} 1'));
});

test('reset keeps HELP and TYPE and leaves other metrics alone; unknown names are ignored', () => {
  const m = new Metrics();
  m.set('a', 'A', {}, 1);
  m.set('b', 'B', {}, 2);
  m.reset('a');
  m.reset('missing');
  assert.equal(m.render(), '# HELP a A\n# TYPE a gauge\n# HELP b B\n# TYPE b gauge\nb 2\n');
});

test('foreign agents are a gauge per pool that drops pools without any', () => {
  const report = (foreignAgents: PassReport['plan']['foreignAgents']): PassReport => ({
    passId: 'p', mode: 'apply', startedAt: new Date(0), durationMs: 1, tip: 't',
    plan: { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents },
    specErrors: [], podsObserved: true, commit: undefined, pushAttempts: 0,
    disabled: [], keptBusy: [], unregistered: [], placeholdersRegistered: [], failures: [], holdsStarted: [],
    observed: { pendingJobs: 0, agents: 0, manifests: 0, pods: 0 },
  });
  const vm = (name: string, poolName: string) => ({ agentId: 1, name, poolName, status: 'offline' as const, enabled: true });
  const m = new Metrics();
  recordPass(m, report([vm('linux-agent1', 'k8s-agents'), vm('docker-buildvm', 'k8s-agents'), vm('gpu-1', 'gpu')]));
  assert.match(m.render(), /azdo_gitops_foreign_agents\{pool="k8s-agents"\} 2\n/);
  assert.match(m.render(), /azdo_gitops_foreign_agents\{pool="gpu"\} 1\n/);
  recordPass(m, report([vm('gpu-1', 'gpu')]));
  assert.doesNotMatch(m.render(), /azdo_gitops_foreign_agents\{pool="k8s-agents"\}/);
});

test('a held spec exports the seconds left on its hold; a hold that began counts once', async () => {
  const { recordPass } = await import('../../reconciler/observability/passMetrics.ts');
  const startedAt = new Date('2026-01-01T00:00:00.000Z');
  const summary = (specName: string, extra: object = {}) => ({ specName, pool: 'k8s-agents', revision: 'r', standby: 0, pendingJobs: 1, busy: 0, idle: 0, starting: 0, desired: 1, max: 1, cappedBy: 0, ...extra });
  const hold = { specName: 'gpu', revision: 'r', failures: 1, since: startedAt, until: new Date('2026-01-01T00:00:30.000Z'), podName: 'gpu-a1', reason: 'x' };
  const m = new Metrics();
  recordPass(m, {
    passId: 'p', mode: 'apply', startedAt, durationMs: 1, tip: 't', commit: undefined, pushAttempts: 0, specErrors: [], podsObserved: true,
    plan: { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [summary('gpu', { heldUntil: hold.until.toISOString(), holdReason: 'gpu-a1: x' }), summary('linux')], foreignAgents: [] },
    disabled: [], keptBusy: [], unregistered: [], placeholdersRegistered: [], failures: [], holdsStarted: [hold],
    observed: { pendingJobs: 2, agents: 0, manifests: 0, pods: 0 },
  });
  const lines = m.render().split('\n');
  assert.ok(lines.includes('azdo_gitops_spec_backoff_seconds{pool="k8s-agents",spec="gpu"} 30'), lines.join('\n'));
  assert.ok(lines.includes('azdo_gitops_spec_backoff_seconds{pool="k8s-agents",spec="linux"} 0'));
  assert.ok(lines.includes('azdo_gitops_spec_holds_total{spec="gpu"} 1'));
});
