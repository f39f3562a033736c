import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import type { Plan, SpecSummary } from '../../reconciler/plan/changes.ts';
import { foreignLine, planJson, planText, statusJson, statusText } from '../../reconciler/cli/format.ts';
import { T0 } from '../helpers/fixtures.ts';

const TIP = '0123456789abcdef0123456789abcdef01234567';

function summary(specName: string, init: Partial<SpecSummary> = {}): SpecSummary {
  return { specName, pool: 'k8s-agents', revision: 'r1', standby: 0, pendingJobs: 0, busy: 0, idle: 0, starting: 0, desired: 0, max: 10, cappedBy: 0, ...init };
}

function aReport(plan: Partial<Plan> = {}, init: Partial<PassReport> = {}): PassReport {
  return {
    passId: T0.toISOString(), mode: 'dry-run', startedAt: T0, durationMs: 5, tip: TIP,
    plan: { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [], ...plan },
    specErrors: [], podsObserved: true, commit: undefined, pushAttempts: 0,
    disabled: [], keptBusy: [], unregistered: [], placeholdersRegistered: [], failures: [], holdsStarted: [],
    observed: { pendingJobs: 0, agents: 0, manifests: 0, pods: 0 },
    ...init,
  };
}

const busyPlan: Partial<Plan> = {
  add: [{ podName: 'linux-aaaa1', specName: 'linux', reason: 'pending-jobs', jobRequestIds: [4, 5] }, { podName: 'linux-bbbb2', specName: 'linux', reason: 'standby', jobRequestIds: [] }],
  remove: [{ path: 'agents/pods/linux/linux-old01.yaml', podName: 'linux-old01', specName: 'linux', reason: 'pod-succeeded', agentId: 9 }],
  unregister: [{ agentId: 9, name: 'linux-old01', poolName: 'k8s-agents', reason: 'pod-finished' }],
  registerPlaceholders: [{ name: 'gpu-placeholder', poolName: 'gpu', specName: 'gpu', capabilities: { cuda: 'true' } }],
  unmatchedJobs: [{ requestId: 8, poolName: 'k8s-agents', demands: ['windows'], reason: 'no AgentSpec has capability windows' }],
  summaries: [summary('linux', { pendingJobs: 2, busy: 1, idle: 0, starting: 1, desired: 4, cappedBy: 1 })],
};
const specError = { file: 'agentspecs/bad.yaml', field: 'spec.maxAgents', message: 'must be ≥ 1', hint: 'e.g. 5' };

test('planText with nothing to do says so, with the short tip and cluster state', () => {
  assert.equal(planText(aReport()), 'Plan at 0123456789ab (cluster observed)\n  nothing to change');
});

test('planText warns when the cluster was not observed', () => {
  assert.match(planText(aReport({}, { podsObserved: false })), /^Plan at 0123456789ab \(cluster NOT observed: no pod-based pruning\)/);
});

test('planText lists adds, removes, unregisters, placeholders, unmatched jobs and spec errors', () => {
  assert.equal(planText(aReport(busyPlan, { specErrors: [specError] })), [
    'Plan at 0123456789ab (cluster observed)',
    '  + linux-aaaa1 (linux, pending-jobs for job 4,5)',
    '  + linux-bbbb2 (linux, standby)',
    '  - linux-old01 (linux, pod-succeeded)',
    '  x unregister linux-old01 from k8s-agents (pod-finished)',
    '  * placeholder gpu-placeholder in gpu (gpu)',
    '  ! job 8 in k8s-agents matches no AgentSpec: no AgentSpec has capability windows',
    '  ! agentspecs/bad.yaml: spec.maxAgents: must be ≥ 1 (e.g. 5)',
  ].join('\n'));
});

test('planText with only unmatched jobs or spec errors still says nothing to change', () => {
  const text = planText(aReport({ unmatchedJobs: busyPlan.unmatchedJobs }));
  assert.match(text, /nothing to change\n {2}! job 8/);
});

test('planJson carries the plan; removals without agent ids', () => {
  const j = planJson(aReport(busyPlan, { specErrors: [specError], observed: { pendingJobs: 2, agents: 1, manifests: 1, pods: 1 } })) as Record<string, unknown>;
  assert.deepEqual(Object.keys(j), ['tip', 'podsObserved', 'observed', 'add', 'remove', 'unregister', 'registerPlaceholders', 'unmatchedJobs', 'foreignAgents', 'specs', 'specErrors']);
  assert.equal(j.tip, TIP);
  assert.deepEqual(j.remove, [{ path: 'agents/pods/linux/linux-old01.yaml', podName: 'linux-old01', specName: 'linux', reason: 'pod-succeeded' }]);
  assert.deepEqual(j.add, busyPlan.add);
  assert.deepEqual(j.specs, busyPlan.summaries);
  assert.deepEqual(j.specErrors, [specError]);
  assert.deepEqual(j.observed, { pendingJobs: 2, agents: 1, manifests: 1, pods: 1 });
});

test('planJson survives a JSON round trip unchanged', () => {
  const j = planJson(aReport(busyPlan));
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});

test('statusJson counts pending changes and reports unknown pods as null', () => {
  const j = statusJson(aReport(busyPlan, { podsObserved: false, observed: { pendingJobs: 3, agents: 2, manifests: 4, pods: undefined } })) as Record<string, unknown>;
  assert.deepEqual(j.pendingChanges, { add: 2, remove: 1, unregister: 1 });
  assert.equal(j.pods, null);
  assert.equal(j.pendingJobs, 3);
  assert.equal(j.agents, 2);
  assert.equal(j.manifests, 4);
  assert.equal(j.podsObserved, false);
  assert.deepEqual(j.specs, busyPlan.summaries);
});

test('statusText renders an aligned table, the totals and the short tip', () => {
  const text = statusText(aReport({ summaries: [summary('linux', { pendingJobs: 12, busy: 1, desired: 13, cappedBy: 3 }), summary('windows-large', { pool: 'Windows' })] }, { observed: { pendingJobs: 12, agents: 1, manifests: 1, pods: 1 } }));
  assert.equal(text, [
    'SPEC           POOL        PENDING  BUSY  IDLE  STARTING  DESIRED  MAX  CAPPED',
    'linux          k8s-agents  12       1     0     0         13       10   3',
    'windows-large  Windows     0        0     0     0         0        10   0',
    '',
    'pending jobs 12, agents 1, manifests 1, pods 1 (git 0123456789ab)',
  ].join('\n'));
});

test('statusText without specs prints the header; unknown pods say unknown', () => {
  const text = statusText(aReport({}, { observed: { pendingJobs: 0, agents: 0, manifests: 0, pods: undefined } }));
  assert.match(text, /^SPEC {2}POOL {2}PENDING {2}BUSY {2}IDLE {2}STARTING {2}DESIRED {2}MAX {2}CAPPED\n\npending jobs 0, agents 0, manifests 0, pods unknown \(git 0123456789ab\)$/);
});

test('statusText lists unmatched jobs and spec errors last', () => {
  const lines = statusText(aReport({ unmatchedJobs: busyPlan.unmatchedJobs }, { specErrors: [specError] })).split('\n');
  assert.deepEqual(lines.slice(-2), ['! job 8 matches no AgentSpec: no AgentSpec has capability windows', '! agentspecs/bad.yaml: spec.maxAgents: must be ≥ 1 (e.g. 5)']);
});

const foreignPlan: Partial<Plan> = {
  foreignAgents: [
    { agentId: 3, name: 'docker-buildvm', poolName: 'k8s-agents', status: 'offline', enabled: true },
    { agentId: 2, name: 'linux-agent1', poolName: 'k8s-agents', status: 'online', enabled: false },
  ],
};

test('plan and status report foreign agents in JSON and in one text line', () => {
  const r = aReport(foreignPlan);
  assert.deepEqual((planJson(r) as Record<string, unknown>).foreignAgents, foreignPlan.foreignAgents);
  assert.deepEqual((statusJson(r) as Record<string, unknown>).foreignAgents, foreignPlan.foreignAgents);
  const line = '? 2 foreign agents (no AZDO_GITOPS_SPEC marker: not ours, left alone): docker-buildvm (k8s-agents, offline), linux-agent1 (k8s-agents, online, disabled)';
  assert.equal(planText(r), `Plan at 0123456789ab (cluster observed)\n  nothing to change\n  ${line}`);
  assert.equal(statusText(r).split('\n').at(-1), line);
  assert.equal(foreignLine(aReport()), undefined);
});

test('the foreign line names at most ten agents', () => {
  const many = Array.from({ length: 12 }, (_, i) => ({ agentId: i, name: `vm-${String(i).padStart(2, '0')}`, poolName: 'p', status: 'offline' as const, enabled: true }));
  assert.match(foreignLine(aReport({ foreignAgents: many }))!, /^\? 12 foreign agents .*vm-09 \(p, offline\), … 2 more$/);
});

test('a spec backing off gets a line in status and plan text, and its hold in the JSON spec summary', () => {
  const held = summary('gpu', { pendingJobs: 1, desired: 1, heldUntil: '2026-01-01T00:01:00.000Z', holdReason: 'gpu-abc12: CreateContainerConfigError: secret "gpu-token" not found' });
  const r = aReport({ summaries: [summary('linux'), held] });
  const line = 'spec gpu is backing off until 2026-01-01T00:01:00.000Z: no new pod (1 pending job waits); last failing pod gpu-abc12: CreateContainerConfigError: secret "gpu-token" not found';
  assert.equal(statusText(r).split('\n').at(-1), `! ${line}`);
  assert.match(planText(r), new RegExp(`\n  ! ${line.replace(/[().]/g, (c) => `\\${c}`)}$`));
  const specs = (statusJson(r) as { specs: SpecSummary[] }).specs;
  assert.equal(specs[1]!.heldUntil, '2026-01-01T00:01:00.000Z');
  assert.equal(specs[0]!.heldUntil, undefined);
  assert.deepEqual((planJson(r) as { specs: SpecSummary[] }).specs, [summary('linux'), held]);
});
