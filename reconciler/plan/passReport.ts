// What one pass saw, decided and did: the plan and the outcome of carrying it out. The pass
// (loop/pass.ts) builds it; metrics (observability/) and the CLI's status output read it.
import type { SpecError } from '../agentspec/specError.ts';
import type { Plan } from './changes.ts';
import type { SpecHold } from './podFailureBackoff.ts';

export interface PassFailure {
  readonly action: string;
  readonly target: string;
  readonly error: string;
}

/** The steps of a pass, in order; `plan` includes rendering the manifests and the commit message. */
export type PassPhase = 'fetch' | 'read' | 'observe' | 'plan' | 'drain' | 'commit' | 'push' | 'unregister' | 'placeholders';
/** Wall time per phase that ran (ms); a phase repeated (another push attempt) is summed. */
export type PhaseDurations = Partial<Readonly<Record<PassPhase, number>>>;

export interface PassReport {
  readonly passId: string;
  readonly mode: 'apply' | 'dry-run';
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly tip: string;
  readonly plan: Plan;
  readonly specErrors: readonly SpecError[];
  /** Risky pod settings of accepted specs (warnings, not errors). */
  readonly specWarnings?: readonly SpecError[];
  readonly podsObserved: boolean;
  /** Set when a commit was pushed. */
  readonly commit: string | undefined;
  readonly pushAttempts: number;
  readonly disabled: readonly string[];
  readonly keptBusy: readonly string[];
  readonly unregistered: readonly string[];
  readonly placeholdersRegistered: readonly string[];
  readonly failures: readonly PassFailure[];
  /** Specs held back from this pass on after a failing pod (one Warning Event each). */
  readonly holdsStarted: readonly SpecHold[];
  readonly observed: { readonly pendingJobs: number; readonly agents: number; readonly manifests: number; readonly pods: number | undefined };
  /** CPU time of the process during the pass (user + system, ms), and of plan() alone. */
  readonly cpuMs?: number;
  readonly planCpuMs?: number;
  readonly phasesMs?: PhaseDurations;
}
