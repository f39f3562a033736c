import { AzdoThrottledError } from '../errors/azdoErrors.ts';
import type { PassReport } from '../plan/passReport.ts';
import type { Metrics } from './metrics.ts';

/** Gauges from the plan's per-spec summaries; counters for what the pass did. */
export function recordPass(m: Metrics, r: PassReport): void {
  m.inc('azdo_gitops_passes_total', 'Reconcile passes by result', { result: 'success' });
  m.set('azdo_gitops_pass_duration_seconds', 'Duration of the last pass', {}, r.durationMs / 1000);
  m.set('azdo_gitops_last_success_timestamp_seconds', 'When the last pass succeeded', {}, Math.floor(r.startedAt.getTime() / 1000));
  for (const g of ['azdo_gitops_pending_jobs', 'azdo_gitops_agents', 'azdo_gitops_desired_agents', 'azdo_gitops_capped_agents', 'azdo_gitops_spec_backoff_seconds']) m.reset(g);
  for (const s of r.plan.summaries) {
    const spec = { spec: s.specName, pool: s.pool };
    m.set('azdo_gitops_pending_jobs', 'Job requests waiting for an agent, by the spec chosen for them', spec, s.pendingJobs);
    m.set('azdo_gitops_agents', 'Agents by state', { ...spec, state: 'busy' }, s.busy);
    m.set('azdo_gitops_agents', 'Agents by state', { ...spec, state: 'idle' }, s.idle);
    m.set('azdo_gitops_agents', 'Agents by state', { ...spec, state: 'starting' }, s.starting);
    m.set('azdo_gitops_desired_agents', 'Agents demand and standby want', spec, s.desired);
    m.set('azdo_gitops_capped_agents', 'Agents wanted but refused by maxAgents or MAX_AGENTS', spec, s.cappedBy);
    const held = s.heldUntil === undefined ? 0 : Math.max(0, (Date.parse(s.heldUntil) - r.startedAt.getTime()) / 1000);
    m.set('azdo_gitops_spec_backoff_seconds', 'Seconds until a spec held back after failing pods may start pods again (0: not held)', spec, held);
  }
  m.reset('azdo_gitops_foreign_agents');
  const foreignByPool = new Map<string, number>();
  for (const a of r.plan.foreignAgents) foreignByPool.set(a.poolName, (foreignByPool.get(a.poolName) ?? 0) + 1);
  for (const [pool, n] of foreignByPool) m.set('azdo_gitops_foreign_agents', 'Agents in our pools without the azdo-gitops marker: left alone', { pool }, n);
  for (const h of r.holdsStarted) m.inc('azdo_gitops_spec_holds_total', 'Holds begun because a pod of the spec failed without running a job', { spec: h.specName });
  m.set('azdo_gitops_unmatched_jobs', 'Pending jobs no AgentSpec can run', {}, r.plan.unmatchedJobs.length);
  m.set('azdo_gitops_spec_errors', 'Invalid AgentSpecs (and manifests) in the repository', {}, r.specErrors.length);
  m.set('azdo_gitops_spec_warnings', 'Risky pod settings of accepted AgentSpecs (hostNetwork, privileged, ...)', {}, r.specWarnings?.length ?? 0);
  if (r.commit) m.inc('azdo_gitops_commits_total', 'Commits pushed');
  if (r.pushAttempts > 1) m.inc('azdo_gitops_push_retries_total', 'Pushes rejected because the remote moved', {}, r.pushAttempts - 1);
  if (r.commit) {
    for (const a of r.plan.add) m.inc('azdo_gitops_manifests_added_total', 'Agent pod manifests committed', { reason: a.reason });
    for (const x of r.plan.remove) m.inc('azdo_gitops_manifests_removed_total', 'Agent pod manifests removed', { reason: x.reason });
  }
  m.inc('azdo_gitops_agents_unregistered_total', 'Agents unregistered from their pool', {}, r.unregistered.length);
  m.inc('azdo_gitops_apply_failures_total', 'Azure DevOps writes that failed (retried next pass)', {}, r.failures.length);
}

export function recordPassFailure(m: Metrics, err: unknown): void {
  m.inc('azdo_gitops_passes_total', 'Reconcile passes by result', { result: 'failure' });
  if (err instanceof AzdoThrottledError) m.inc('azdo_gitops_azdo_throttled_total', 'Passes cut short by Azure DevOps throttling (429)');
}
