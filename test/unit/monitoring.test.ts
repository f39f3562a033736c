// The shipped PrometheusRule and Grafana dashboard (cluster-repo-example/monitoring/) read only
// metrics and labels the reconciler exports, and cover what an operator needs first.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

/** Metric names and label names the reconciler's observability code writes. */
function exported(): { metrics: Set<string>; labels: Set<string> } {
  const dir = 'reconciler/observability';
  const source = readdirSync(join(PROJECT_ROOT, dir)).filter((f) => f.endsWith('.ts')).map((f) => read(`${dir}/${f}`)).join('\n');
  const metrics = new Set([...source.matchAll(/'(azdo_gitops_[a-z_]+)'/g)].map((m) => m[1]!));
  // Label objects: `{ pool }`, `{ result: 'success' }`, `{ ...spec, state: 'busy' }` with spec = { pool, spec }.
  const labels = new Set(['pool', 'spec', 'state', 'result', 'reason'].filter((l) => new RegExp(`\\b${l}\\b\\s*[:,}]`).test(source)));
  return { metrics, labels };
}

/** Metric names, grouping labels and label matchers a PromQL expression uses. */
function uses(expr: string): { metrics: string[]; labels: string[] } {
  const metrics = [...expr.matchAll(/\b(azdo_gitops_[a-z_]+)\b/g)].map((m) => m[1]!);
  const grouping = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
  const matchers = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]!));
  return { metrics, labels: [...grouping, ...matchers] };
}

function balanced(expr: string): boolean {
  let depth = 0;
  for (const ch of expr) {
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    if (ch === ')' || ch === '}' || ch === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function assertReadsExported(expr: string, where: string): void {
  const { metrics, labels } = exported();
  const u = uses(expr);
  assert.ok(u.metrics.length > 0, `${where}: names a reconciler metric`);
  assert.ok(balanced(expr), `${where}: brackets balance in ${expr}`);
  for (const m of u.metrics) assert.ok(metrics.has(m), `${where}: ${m} is not a metric the reconciler exports`);
  for (const l of u.labels) assert.ok(labels.has(l), `${where}: label ${l} is not one the reconciler sets`);
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

describe('the PrometheusRule', () => {
  const doc = parse(read('cluster-repo-example/monitoring/prometheusrule.yaml')) as { apiVersion: string; kind: string; spec: { groups: { name: string; rules: Rule[] }[] } };
  const rules = doc.spec.groups.flatMap((g) => g.rules);

  it('is a Prometheus Operator PrometheusRule whose every alert has a severity, a summary and a next step', () => {
    assert.equal(doc.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(doc.kind, 'PrometheusRule');
    for (const r of rules) {
      assert.match(r.alert, /^AzdoGitops[A-Z][A-Za-z]+$/);
      assert.ok(['warning', 'critical'].includes(r.labels.severity), r.alert);
      assert.ok(r.annotations.summary && r.annotations.description, r.alert);
      if (r.for !== undefined) assert.match(r.for, /^\d+[smh]$/, r.alert);
    }
  });

  it('every expression reads only metrics and labels the reconciler exports', () => {
    for (const r of rules) assertReadsExported(r.expr, r.alert);
  });

  it('alerts on unmatched jobs for 10 minutes, no successful pass, a spec backing off, and throttling', () => {
    const byMetric = (m: string) => rules.filter((r) => r.expr.includes(m));
    assert.deepEqual(byMetric('azdo_gitops_unmatched_jobs').map((r) => r.for), ['10m']);
    assert.equal(byMetric('azdo_gitops_last_success_timestamp_seconds').length, 1);
    assert.equal(byMetric('azdo_gitops_spec_backoff_seconds').length, 1);
    assert.equal(byMetric('azdo_gitops_azdo_throttled_total').length, 1);
  });
});

describe('the Grafana dashboard', () => {
  const dash = JSON.parse(read('cluster-repo-example/monitoring/grafana-dashboard.json')) as {
    uid: string;
    panels: { id: number; title: string; targets: { expr: string }[] }[];
  };

  it('every panel query reads only metrics and labels the reconciler exports', () => {
    assert.ok(dash.panels.length > 0);
    assert.equal(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length, 'panel ids are unique');
    for (const p of dash.panels) for (const t of p.targets) assertReadsExported(t.expr, p.title);
  });

  it('shows pending and unmatched jobs, agents by state per spec, pass duration, commits, throttling and backoffs', () => {
    const all = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of ['azdo_gitops_pending_jobs', 'azdo_gitops_unmatched_jobs', 'azdo_gitops_pass_duration_seconds', 'azdo_gitops_commits_total', 'azdo_gitops_azdo_throttled_total', 'azdo_gitops_spec_backoff_seconds', 'azdo_gitops_spec_holds_total']) {
      assert.ok(all.includes(m), `a panel shows ${m}`);
    }
    assert.match(all, /sum by \(spec, state\) \(azdo_gitops_agents\)/);
  });
});
