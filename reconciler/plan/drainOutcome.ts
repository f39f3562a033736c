// What apply's drain (disable → re-read) learned, folded back into the observed agents so the
// re-plan before the commit sees it: an agent confirmed idle is disabled and may leave; one that
// took a job is busy (it counts toward its spec's cap and covers that job).
import type { ObservedState, PoolAgent } from './observed.ts';

export interface DrainOutcome {
  /** Pod names of agents disabled and re-read idle: the only live agents the re-plan may remove. */
  readonly confirmedIdle: ReadonlySet<string>;
  /** Agents that took a job between observation and disabling: they finish it first. */
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
