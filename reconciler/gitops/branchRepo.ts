// What a pass and commitAndPush need of the cluster repo: one branch of one remote, read at a
// fetched tip, written by a commit on top of it and a push without force. GitRepo (repo.ts) is
// the isomorphic-git implementation; the simulator (sim/) has an in-memory one.
import type { RepoFile } from '../agentspec/loadSpecs.ts';
import type { TreeChange } from './treeEdit.ts';

export interface BranchRepo {
  /** The remote, for error messages (may carry userinfo: redact before logging). */
  readonly url: string;
  readonly branch: string;
  /** Runs fn with no other operation of this repo in between; re-entrant within fn. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** The remote branch's current commit, fetched. */
  fetchTip(): Promise<string>;
  /** Every file below a directory at a fetched commit. */
  readFiles(commitOid: string, dirPath: string): Promise<RepoFile[]>;
  /** A commit on top of parentOid with the changes; undefined when they change nothing. */
  commitChanges(parentOid: string, changes: readonly TreeChange[], message: string, now?: Date): Promise<string | undefined>;
  /** Pushes without force; a moved remote rejects (isPushRejection). */
  push(commitOid: string, signal?: AbortSignal): Promise<void>;
}
