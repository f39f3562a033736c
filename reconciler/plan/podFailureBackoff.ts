// Per-spec backoff for pods that fail to become agents. Pure: the next state comes from the
// previous state and what one pass observed; plan() receives the holds as plain data.
//
// A spec whose pods end Failed, or are given up on (a non-transient waiting reason, or a
// deadline) without having run a job, is held: no new pod of it for 30 s, doubling per
// consecutive failing batch up to 10 min (configurable). A pod of the spec that runs a job (its
// agent seen busy, also as its pod exits, or listed with a completed request, or the pod
// Succeeded: a `--once` agent exits 0 only after its job) or a new spec revision ends the hold
// and resets the count. A hold adds nothing and removes nothing: it only withholds new pods;
// pending jobs stay reported and busy agents untouched.
import { manifestStates, type ManifestState } from './agentStates.ts';
import { isPodFailureReason } from './changes.ts';
import type { ObservedState } from './observed.ts';
import { podProblem } from './podProblem.ts';
import { compareStrings } from '../support/compare.ts';

export interface BackoffSchedule {
  /** Hold after the first failing pod. */
  readonly initialSeconds: number;
  /** The hold doubles per consecutive failure up to this. */
  readonly maxSeconds: number;
}

export const DEFAULT_BACKOFF_SCHEDULE: BackoffSchedule = { initialSeconds: 30, maxSeconds: 600 };

/** A spec held back: plan() adds no pod of it before `until`. */
export interface SpecHold {
  readonly specName: string;
  /** The revision whose pods failed; a hold never applies to another revision. */
  readonly revision: string;
  /** Consecutive failing batches of pods (pods started together count once). */
  readonly failures: number;
  /** When the last failure was seen (the hold's start). */
  readonly since: Date;
  readonly until: Date;
  /** The failing pod and its real reason (`CreateContainerConfigError: secret "x" not found`). */
  readonly podName: string;
  readonly reason: string;
}

export interface BackoffState {
  /** By spec name. A hold whose `until` passed stays: its count sets the next step. */
  readonly holds: ReadonlyMap<string, SpecHold>;
  /** Pods already judged (by name), while their manifests remain: none counts twice. */
  readonly judged: ReadonlyMap<string, 'failed' | 'ran-job'>;
}

export const NO_BACKOFF: BackoffState = { holds: new Map(), judged: new Map() };

export type PodOutcome =
  | { readonly kind: 'failed'; readonly specName: string; readonly revision: string; readonly podName: string; readonly startedAt: Date; readonly reason: string }
  | { readonly kind: 'ran-job'; readonly specName: string; readonly revision: string; readonly podName: string };

/** What each manifest's pod proved this pass: it ran a job, it failed, or nothing yet. */
export function podOutcomes(states: readonly ManifestState[]): PodOutcome[] {
  const out: PodOutcome[] = [];
  for (const s of states) {
    const { specName, podName, specRevision, createdAt } = s.manifest;
    // A pod that exited while its agent is listed on a job took that job (killed mid-job, or the
    // job ended since the list): a failed job, not a pod failing to become an agent. An agent
    // listed with a completed request ran one, even if no pass saw it busy or its pod finished.
    const tookAJob =
      s.kind === 'busy' || s.removeReason === 'pod-succeeded' || s.agent?.assignedRequestId !== undefined || s.agent?.lastCompletedRequestId !== undefined;
    if (tookAJob) out.push({ kind: 'ran-job', specName, revision: specRevision, podName });
    else if (s.removeReason !== undefined && isPodFailureReason(s.removeReason)) {
      out.push({ kind: 'failed', specName, revision: specRevision, podName, startedAt: createdAt, reason: podProblem(s.pod, s.removeReason) });
    }
  }
  return out;
}

export function observedPodOutcomes(o: ObservedState): PodOutcome[] {
  return podOutcomes(manifestStates(o.manifests, o.specs, o.agents, o.pods, o.now));
}

/** The hold after `failures` consecutive failing batches: initial · 2^(failures−1), capped. */
export function holdSeconds(failures: number, schedule: BackoffSchedule): number {
  return Math.min(schedule.maxSeconds, schedule.initialSeconds * 2 ** Math.max(0, failures - 1));
}

/**
 * The most batches of pods a spec whose every pod fails can start within `windowSeconds` of its
 * first: batch k+1 starts no earlier than the sum of the first k holds (a failure seen at once,
 * the next pass right when a hold ends). Each batch costs at most one commit adding it and one
 * removing it (one pending job: one pod per batch).
 */
export function maxBatchesWithin(windowSeconds: number, schedule: BackoffSchedule): number {
  let batches = 1;
  let t = holdSeconds(1, schedule);
  while (t <= windowSeconds) {
    batches++;
    t += holdSeconds(batches, schedule);
  }
  return batches;
}

export interface BackoffStep {
  readonly state: BackoffState;
  /** Holds that began this pass (one Warning Event and one log line each). */
  readonly started: readonly SpecHold[];
  /** Specs whose hold a pod running a job or a spec change ended this pass. */
  readonly reset: readonly string[];
}

const byName = <T extends { podName: string }>(a: T, b: T) => compareStrings(a.podName, b.podName);

/**
 * @param specs the specs in force (name → revision); a hold of a spec gone or changed ends.
 * @param livePods pod names that still have manifests: judgements of the others are dropped.
 */
export function nextBackoff(
  prev: BackoffState,
  outcomes: readonly PodOutcome[],
  specs: readonly { readonly name: string; readonly revision: string }[],
  livePods: ReadonlySet<string>,
  now: Date,
  schedule: BackoffSchedule,
): BackoffStep {
  const revisionOf = new Map(specs.map((s) => [s.name, s.revision]));
  const holds = new Map<string, SpecHold>();
  const reset = new Set<string>();
  for (const [name, h] of prev.holds) {
    if (revisionOf.get(name) === h.revision) holds.set(name, h);
    else reset.add(name);
  }
  const judged = new Map([...prev.judged].filter(([pod]) => livePods.has(pod)));

  // A pod of the held revision that ran a job proves the spec works: its hold and count end.
  for (const o of outcomes) {
    if (o.kind !== 'ran-job' || judged.get(o.podName) === 'ran-job') continue;
    judged.set(o.podName, 'ran-job');
    if (holds.get(o.specName)?.revision === o.revision && holds.delete(o.specName)) reset.add(o.specName);
  }

  const fresh = new Map<string, Extract<PodOutcome, { kind: 'failed' }>[]>();
  for (const o of outcomes) {
    // Judged already: counted, or it ran a job before it failed (a job's failure, not the pod's).
    if (o.kind !== 'failed' || judged.has(o.podName)) continue;
    judged.set(o.podName, 'failed');
    // A pod of an older revision says nothing about the spec in force.
    if (revisionOf.get(o.specName) !== o.revision) continue;
    // Pods started before the hold began are the batch that caused it: no further step.
    const h = holds.get(o.specName);
    if (h !== undefined && o.startedAt.getTime() < h.since.getTime()) continue;
    fresh.set(o.specName, [...(fresh.get(o.specName) ?? []), o]);
  }

  const started: SpecHold[] = [];
  for (const [specName, failed] of [...fresh].sort(([a], [b]) => compareStrings(a, b))) {
    const first = [...failed].sort(byName)[0]!;
    const failures = (holds.get(specName)?.failures ?? 0) + 1;
    const hold: SpecHold = {
      specName,
      revision: first.revision,
      failures,
      since: now,
      until: new Date(now.getTime() + holdSeconds(failures, schedule) * 1000),
      podName: first.podName,
      reason: first.reason,
    };
    holds.set(specName, hold);
    reset.delete(specName);
    started.push(hold);
  }
  return { state: { holds, judged }, started, reset: [...reset].sort() };
}

/** The hold in force for a spec now, if any. */
export function activeHold(holds: ReadonlyMap<string, SpecHold> | undefined, spec: { readonly name: string; readonly revision: string }, now: Date): SpecHold | undefined {
  const h = holds?.get(spec.name);
  return h !== undefined && h.revision === spec.revision && now.getTime() < h.until.getTime() ? h : undefined;
}
