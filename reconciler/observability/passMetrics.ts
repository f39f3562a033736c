import { AzdoThrottledError } from '../errors/azdoErrors.ts';
import type { PassReport } from '../plan/passReport.ts';
import type { Metrics } from './metrics.ts';

/** Gauges from the plan's per-spec summaries; counters for what the pass did. */
export function recordPass(m: Metrics, r: PassReport): void {
  m.passes.inc({ result: 'success' });
  m.passDuration.observe(r.durationMs / 1000);
  m.lastSuccess.set(Math.floor(r.startedAt.getTime() / 1000));
  // Per-spec gauges are rebuilt each pass, so the series of a removed spec disappear.
  for (const g of [m.pendingJobs, m.agents, m.desiredAgents, m.cappedAgents, m.specBackoff]) g.reset();
  for (const s of r.plan.summaries) {
    const spec = { spec: s.specName, pool: s.pool };
    m.pendingJobs.set(spec, s.pendingJobs);
    m.agents.set({ ...spec, state: 'busy' }, s.busy);
    m.agents.set({ ...spec, state: 'idle' }, s.idle);
    m.agents.set({ ...spec, state: 'starting' }, s.starting);
    m.desiredAgents.set(spec, s.desired);
    m.cappedAgents.set(spec, s.cappedBy);
    const held = s.heldUntil === undefined ? 0 : Math.max(0, (Date.parse(s.heldUntil) - r.startedAt.getTime()) / 1000);
    m.specBackoff.set(spec, held);
  }
  m.foreignAgents.reset();
  const foreignByPool = new Map<string, number>();
  for (const a of r.plan.foreignAgents) foreignByPool.set(a.poolName, (foreignByPool.get(a.poolName) ?? 0) + 1);
  for (const [pool, n] of foreignByPool) m.foreignAgents.set({ pool }, n);
  for (const h of r.holdsStarted) m.specHolds.inc({ spec: h.specName });
  m.unmatchedJobs.set(r.plan.unmatchedJobs.length);
  m.specErrors.set(r.specErrors.length);
  m.specWarnings.set(r.specWarnings?.length ?? 0);
  if (r.commit) m.commits.inc();
  if (r.pushAttempts > 1) m.pushRetries.inc(r.pushAttempts - 1);
  if (r.commit) {
    for (const a of r.plan.add) m.manifestsAdded.inc({ reason: a.reason });
    for (const x of r.plan.remove) m.manifestsRemoved.inc({ reason: x.reason });
  }
  m.agentsUnregistered.inc(r.unregistered.length);
  m.applyFailures.inc(r.failures.length);
}

export function recordPassFailure(m: Metrics, err: unknown): void {
  m.passes.inc({ result: 'failure' });
  if (err instanceof AzdoThrottledError) m.azdoThrottled.inc();
}
