import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import { AzdoThrottledError } from '../../reconciler/errors/azdoErrors.ts';
import { Metrics } from '../../reconciler/observability/metrics.ts';
import { recordPass, recordPassFailure } from '../../reconciler/observability/passMetrics.ts';

type Summary = PassReport['plan']['summaries'][number];

const summary = (specName: string, extra: Partial<Summary> = {}): Summary => ({
  specName, pool: 'k8s-agents', revision: 'r', standby: 0, pendingJobs: 1, busy: 0, idle: 0, starting: 0, desired: 1, max: 1, cappedBy: 0, ...extra,
});

function report(o: { durationMs?: number; summaries?: Summary[]; foreignAgents?: PassReport['plan']['foreignAgents']; holdsStarted?: PassReport['holdsStarted']; startedAt?: Date } = {}): PassReport {
  return {
    passId: 'p', mode: 'apply', startedAt: o.startedAt ?? new Date(0), durationMs: o.durationMs ?? 1, tip: 't',
    plan: { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: o.summaries ?? [], foreignAgents: o.foreignAgents ?? [] },
    specErrors: [], podsObserved: true, commit: undefined, pushAttempts: 0,
    disabled: [], keptBusy: [], unregistered: [], placeholdersRegistered: [], failures: [], holdsStarted: o.holdsStarted ?? [],
    observed: { pendingJobs: 0, agents: 0, manifests: 0, pods: 0 },
  };
}

const lines = async (m: Metrics): Promise<string[]> => (await m.render()).split('\n');

test('every metric the README lists is exported under that name', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const observability = readme.slice(readme.indexOf('**Observability**'), readme.indexOf('## Development'));
  const listed = [...new Set([...observability.matchAll(/`(azdo_gitops_[a-z_]+)/g)].map((x) => x[1]!))];
  assert.ok(listed.length >= 17, `the README lists the metrics: ${listed.join(', ')}`);
  const m = new Metrics({ processMetrics: false });
  const types = new Map((await lines(m)).flatMap((l) => {
    const t = /^# TYPE (\S+) (\S+)$/.exec(l);
    return t ? [[t[1]!, t[2]!] as const] : [];
  }));
  for (const name of listed) assert.ok(types.has(name), `${name} is exported`);
  assert.equal(types.get('azdo_gitops_pass_duration_seconds'), 'histogram');
  assert.equal(types.get('azdo_gitops_passes_total'), 'counter');
  assert.equal(types.get('azdo_gitops_pending_jobs'), 'gauge');
});

test('pass duration is a histogram: every successful pass is counted, in its bucket', async () => {
  const m = new Metrics({ processMetrics: false });
  recordPass(m, report({ durationMs: 200 }));
  recordPass(m, report({ durationMs: 3000 }));
  const out = await lines(m);
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_bucket{le="0.25"} 1'), out.join('\n'));
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_bucket{le="5"} 2'));
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_bucket{le="+Inf"} 2'));
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_sum 3.2'));
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_count 2'));
  assert.ok(out.includes('azdo_gitops_passes_total{result="success"} 2'));
});

test('a failed pass counts as a failure; a throttled one also as throttled', async () => {
  const m = new Metrics({ processMetrics: false });
  recordPassFailure(m, new Error('git unreachable'));
  recordPassFailure(m, new AzdoThrottledError('list job requests', 30));
  const out = await lines(m);
  assert.ok(out.includes('azdo_gitops_passes_total{result="failure"} 2'));
  assert.ok(out.includes('azdo_gitops_azdo_throttled_total 1'));
  assert.ok(out.includes('azdo_gitops_pass_duration_seconds_count 0'), 'a failed pass has no duration to record');
});

test('the process metrics come with it: CPU, memory, event-loop lag, GC', async () => {
  const m = new Metrics();
  const text = await m.render();
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exported`);
  }
  assert.match(m.contentType, /^text\/plain; version=0\.0\.4/);
});

test('two registries in one process do not collide', async () => {
  const a = new Metrics();
  const b = new Metrics();
  recordPass(a, report());
  assert.ok((await lines(a)).includes('azdo_gitops_passes_total{result="success"} 1'));
  assert.ok(!(await lines(b)).includes('azdo_gitops_passes_total{result="success"} 1'));
});

test('per-spec gauges are rebuilt each pass, so a removed spec disappears', async () => {
  const m = new Metrics({ processMetrics: false });
  recordPass(m, report({ summaries: [summary('old', { busy: 2 })] }));
  recordPass(m, report({ summaries: [summary('new', { idle: 1 })] }));
  const text = await m.render();
  assert.doesNotMatch(text, /spec="old"/);
  assert.match(text, /^azdo_gitops_agents\{spec="new",pool="k8s-agents",state="idle"\} 1$/m);
});

test('foreign agents are a gauge per pool that drops pools without any', async () => {
  const vm = (name: string, poolName: string) => ({ agentId: 1, name, poolName, status: 'offline' as const, enabled: true });
  const m = new Metrics({ processMetrics: false });
  recordPass(m, report({ foreignAgents: [vm('linux-agent1', 'k8s-agents'), vm('docker-buildvm', 'k8s-agents'), vm('gpu-1', 'gpu')] }));
  assert.match(await m.render(), /azdo_gitops_foreign_agents\{pool="k8s-agents"\} 2\n/);
  assert.match(await m.render(), /azdo_gitops_foreign_agents\{pool="gpu"\} 1\n/);
  recordPass(m, report({ foreignAgents: [vm('gpu-1', 'gpu')] }));
  assert.doesNotMatch(await m.render(), /azdo_gitops_foreign_agents\{pool="k8s-agents"\}/);
});

test('a held spec exports the seconds left on its hold; a hold that began counts once', async () => {
  const startedAt = new Date('2026-01-01T00:00:00.000Z');
  const hold = { specName: 'gpu', revision: 'r', failures: 1, since: startedAt, until: new Date('2026-01-01T00:00:30.000Z'), podName: 'gpu-a1', reason: 'x' };
  const m = new Metrics({ processMetrics: false });
  recordPass(m, report({ startedAt, summaries: [summary('gpu', { heldUntil: hold.until.toISOString(), holdReason: 'gpu-a1: x' }), summary('linux')], holdsStarted: [hold] }));
  const out = await lines(m);
  assert.ok(out.includes('azdo_gitops_spec_backoff_seconds{spec="gpu",pool="k8s-agents"} 30'), out.join('\n'));
  assert.ok(out.includes('azdo_gitops_spec_backoff_seconds{spec="linux",pool="k8s-agents"} 0'));
  assert.ok(out.includes('azdo_gitops_spec_holds_total{spec="gpu"} 1'));
});
