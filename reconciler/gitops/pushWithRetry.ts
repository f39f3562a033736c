// One pass's commit: fetch the tip, let the caller derive the changes from THAT tip, commit on
// top of it, push without force. If the remote moved, start over from the new tip: re-deriving
// is the rebase, so a person's commit pushed meanwhile is never lost.
import { setTimeout } from 'node:timers/promises';
import type { RepoFile } from '../agentspec/loadSpecs.ts';
import { GitPushRetriesExhaustedError } from '../errors/gitErrors.ts';
import { isPushRejection } from './classifyGitError.ts';
import { redactText, redactUrl } from '../support/redact.ts';
import type { BranchRepo } from './branchRepo.ts';
import type { GitLog } from './repo.ts';
import type { TreeChange } from './treeEdit.ts';

export interface Tip {
  readonly oid: string;
  /** Every file below a directory at this tip. */
  readFiles(dirPath: string): Promise<RepoFile[]>;
}

/** The commit derived from one tip; no changes: nothing to commit. */
export interface Derived {
  readonly changes: readonly TreeChange[];
  readonly message: string;
}

export interface CommitAndPushOptions {
  /** Attempts in all (≥ 1). */
  readonly maxAttempts: number;
  /**
   * Longest random pause before re-deriving on a moved tip. Losing a push means another writer
   * just committed, not that something is wrong: the next attempt starts at once, only jittered
   * so two writers do not keep colliding in lockstep.
   */
  readonly jitterMs: number;
  readonly signal?: AbortSignal;
  /** Where "remote moved, re-deriving" goes. */
  readonly log?: GitLog;
  /** Commit time (default: now). */
  readonly now?: () => Date;
  /** The pause between attempts and its randomness (default: node timers, Math.random); the simulator's virtual time. */
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /**
   * A tip the caller fetched moments ago (a pass fetches before it observes): the first attempt
   * derives from it instead of asking the remote again. A remote that moved since rejects the
   * push, and the next attempt fetches, as after any lost race.
   */
  readonly fetchedTip?: string;
}

/** Waits ms; rejects when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const timerSleep: Sleep = (ms, signal) => setTimeout(ms, undefined, { signal });

export interface CommitAndPushResult<D extends Derived | null = Derived | null> {
  readonly pushed: boolean;
  readonly commitOid?: string;
  readonly attempts: number;
  /** The tip the final attempt derived from. */
  readonly tip: string;
  /**
   * What derive() returned for that tip, as it returned it: a caller that derives more than the
   * commit (its plan, the snapshot it read) gets those values back instead of keeping them aside.
   */
  readonly derived: D;
}

/**
 * fetch tip → derive(tip) → (no changes: done, nothing committed) → commit(parent = tip) → push.
 * The result carries the final attempt's derive() output (`derived`), typed as derive returns it.
 * On a rejected push: "remote moved, re-deriving (attempt n/m)", a short random pause, repeat.
 * Throws GitPushRetriesExhaustedError after maxAttempts; GitAuthError / GitUnreachableError /
 * GitOperationError as they happen; the signal's reason when aborted.
 */
export async function commitAndPush<D extends Derived | null>(
  repo: BranchRepo,
  derive: (tip: Tip) => Promise<D>,
  opts: CommitAndPushOptions,
): Promise<CommitAndPushResult<D>> {
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  return repo.exclusive(async () => {
    let tip = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      opts.signal?.throwIfAborted();
      tip = attempt === 1 && opts.fetchedTip !== undefined ? opts.fetchedTip : await repo.fetchTip();
      const at = tip;
      const derived = await derive({ oid: at, readFiles: (dirPath) => repo.readFiles(at, dirPath) });
      if (!derived || derived.changes.length === 0) return { pushed: false, attempts: attempt, tip, derived };
      opts.signal?.throwIfAborted();
      const commitOid = await repo.commitChanges(tip, derived.changes, derived.message, opts.now?.() ?? new Date());
      if (commitOid === undefined) return { pushed: false, attempts: attempt, tip, derived };
      try {
        await repo.push(commitOid, opts.signal);
        return { pushed: true, commitOid, attempts: attempt, tip, derived };
      } catch (err) {
        if (!isPushRejection(err)) throw err;
        if (attempt === maxAttempts) break;
        const delay = Math.round((opts.random ?? Math.random)() * opts.jitterMs);
        const reason = (err as { data?: { reason?: string } }).data?.reason ?? redactText((err as Error).message ?? '', []).trim();
        opts.log?.warn(`remote moved, re-deriving (attempt ${attempt + 1}/${maxAttempts})`, {
          branch: repo.branch, tip, reason, pauseMs: delay,
        });
        try {
          await (opts.sleep ?? timerSleep)(delay, opts.signal);
        } catch (err) {
          // Aborted: throw the signal's reason (LeaseLostError), not the timer's AbortError.
          opts.signal?.throwIfAborted();
          throw err;
        }
      }
    }
    throw new GitPushRetriesExhaustedError(redactUrl(repo.url), repo.branch, maxAttempts);
  });
}
