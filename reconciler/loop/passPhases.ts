// Where a pass's wall time goes, phase by phase, for the "pass done" log line: an operator (and
// bench/pruneLatency.ts) sees whether a slow pass waited on git, Azure DevOps or its own CPU.
import { performance } from 'node:perf_hooks';
import type { BranchRepo } from '../gitops/branchRepo.ts';
import type { PassPhase, PhaseDurations } from '../plan/passReport.ts';

export class PassPhases {
  readonly #ms = new Map<PassPhase, number>();

  #add(phase: PassPhase, since: number): void {
    this.#ms.set(phase, (this.#ms.get(phase) ?? 0) + performance.now() - since);
  }

  /** Runs fn, adding its wall time to phase (a phase may run several times, e.g. once per push attempt). */
  async time<T>(phase: PassPhase, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.#add(phase, t);
    }
  }

  timeSync<T>(phase: PassPhase, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.#add(phase, t);
    }
  }

  /**
   * The repo with its fetch, commit and push timed. Reads are not: they run concurrently
   * (specs, templates, agents at once), so the caller times the whole read instead.
   */
  repo(repo: BranchRepo): BranchRepo {
    return {
      url: repo.url,
      branch: repo.branch,
      exclusive: (fn) => repo.exclusive(fn),
      fetchTip: () => this.time('fetch', () => repo.fetchTip()),
      readFiles: (oid, dir) => repo.readFiles(oid, dir),
      commitChanges: (parent, changes, message, now) => this.time('commit', () => repo.commitChanges(parent, changes, message, now)),
      push: (oid, signal) => this.time('push', () => repo.push(oid, signal)),
    };
  }

  /** Milliseconds per phase that ran, to 0.1 ms. */
  totals(): PhaseDurations {
    return Object.fromEntries([...this.#ms].map(([k, v]) => [k, Math.round(v * 10) / 10]));
  }
}
