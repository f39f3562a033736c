// What apply's drain (disable → re-read) learned, folded back into the observed agents so the
// re-plan before the commit sees it: an agent confirmed idle is disabled and may leave; one that
// took a job is busy (it counts toward its spec's cap and covers that job).
import type { Plan } from './changes.ts';
import type { ObservedState, PoolAgent } from './observed.ts';

export interface DrainOutcome {
  /** Pod names of agents disabled and re-read idle: the only live agents the re-plan may remove. */
  readonly confirmedIdle: ReadonlySet<string>;
  /**
   * Agents that took a job between observation and the re-read: they finish it first; or that
   * already finished it (the re-read names a completed request the list did not): their pods exit.
   */
  readonly tookAJob: readonly { readonly agent: string; readonly requestId: number }[];
}

export function agentsAfterDrain(agents: readonly PoolAgent[], outcome: DrainOutcome): PoolAgent[] {
  const tookJob = new Map(outcome.tookAJob.map((t) => [t.agent, t.requestId]));
  return agents.map((a) =>
    outcome.confirmedIdle.has(a.name) || tookJob.has(a.name)
      ? { ...a, enabled: false, assignedRequestId: tookJob.get(a.name) ?? a.assignedRequestId }
      : a,
  );
}

/** The observation as the drain left it: the re-plan before the commit starts from this. */
export function observedAfterDrain(observed: ObservedState, outcome: DrainOutcome): ObservedState {
  return { ...observed, agents: agentsAfterDrain(observed.agents, outcome) };
}

/**
 * Whether `plan` is already its own re-plan after the drain, on the tip it was made from. The
 * drain acts only on removals that name an agent (a live agent of ours), and `PlanOptions.drained`
 * gates only those: a plan with none drains nothing, so the re-plan sees the same agents and the
 * same choices. Spec errors are excluded because they withhold removals after the caps were
 * counted, so the re-plan may count them differently.
 */
export function isOwnReplan(plan: Plan, observed: Pick<ObservedState, 'specErrors'>): boolean {
  return observed.specErrors.length === 0 && plan.remove.every((r) => r.agentId === undefined);
}
