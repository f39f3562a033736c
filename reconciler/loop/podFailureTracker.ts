// Carries the pure backoff state (plan/podFailureBackoff.ts) from one pass to the next, and keeps
// a copy in STATE_DIR so a restarted process (the Deployment's emptyDir outlives a container
// crash) resumes its holds.
//
// What forgets the holds: a new reconciler pod (rollout, eviction) or a leader change. The bound:
// a forgotten spec is judged again by its next failing pod, which shows within one pass of its
// start (a non-transient waiting reason or a Failed pod); so a failing spec gets one pod at once,
// then the schedule's ramp again: at most 1 + ⌈log2(max/initial)⌉ pods beyond what the
// interrupted schedule would have started (6 for 30 s → 10 min), once per such event.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ObservedState } from '../plan/observed.ts';
import { nextBackoff, NO_BACKOFF, observedPodOutcomes, type BackoffSchedule, type BackoffState, type BackoffStep, type SpecHold } from '../plan/podFailureBackoff.ts';

interface StoredHold extends Omit<SpecHold, 'since' | 'until'> {
  readonly since: string;
  readonly until: string;
}

interface Stored {
  readonly holds: readonly StoredHold[];
  readonly judged: readonly [string, 'failed' | 'ran-job'][];
}

/** The stored state, or none when the file is missing or not ours (a fresh start is always safe). */
function load(file: string): BackoffState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    const holds = new Map(s.holds.map((h) => [h.specName, { ...h, since: new Date(h.since), until: new Date(h.until) }]));
    const valid = [...holds.values()].every((h) => typeof h.specName === 'string' && typeof h.failures === 'number' && !Number.isNaN(h.until.getTime()));
    return valid ? { holds, judged: new Map(s.judged.filter(([, v]) => v === 'failed' || v === 'ran-job')) } : NO_BACKOFF;
  } catch {
    return NO_BACKOFF;
  }
}

function serialize(state: BackoffState): string {
  const stored: Stored = {
    holds: [...state.holds.values()].map((h) => ({ ...h, since: h.since.toISOString(), until: h.until.toISOString() })),
    judged: [...state.judged],
  };
  return JSON.stringify(stored);
}

export class PodFailureTracker {
  readonly #schedule: BackoffSchedule;
  readonly #file: string | undefined;
  #state: BackoffState;
  #saved: string;

  /** @param file where the state is kept between processes; undefined keeps it in memory only. */
  constructor(schedule: BackoffSchedule, file?: string) {
    this.#schedule = schedule;
    this.#file = file;
    this.#state = file !== undefined ? load(file) : NO_BACKOFF;
    this.#saved = serialize(this.#state);
  }

  /**
   * Judges this pass's pods and returns the holds to plan with. `remember: false` (a dry run)
   * leaves the tracker as it was.
   */
  advance(observed: ObservedState, remember = true): BackoffStep {
    const live = new Set(observed.manifests.map((m) => m.podName));
    const step = nextBackoff(this.#state, observedPodOutcomes(observed), observed.specs, live, observed.now, this.#schedule);
    if (remember) this.#remember(step.state);
    return step;
  }

  #remember(state: BackoffState): void {
    this.#state = state;
    const text = serialize(state);
    if (this.#file === undefined || text === this.#saved) return;
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
      writeFileSync(`${this.#file}.tmp`, text);
      renameSync(`${this.#file}.tmp`, this.#file);
      this.#saved = text;
    } catch {
      // The in-memory state still holds; a restart would only start the schedule over.
    }
  }
}
