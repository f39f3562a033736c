export { GitRepo } from './repo.ts';
export type { GitRepoOptions, GitRepoStats, GitLog } from './repo.ts';
export { commitAndPush } from './pushWithRetry.ts';
export type { Tip, Derived, CommitAndPushOptions, CommitAndPushResult } from './pushWithRetry.ts';
export { writeTreeWithChanges, splitRepoPath, EMPTY_TREE_OID } from './treeEdit.ts';
export type { TreeChange } from './treeEdit.ts';
export { formatCommitMessage, commitMessage, parseTrailers, SKIP_CI, TRAILER_ADDED, TRAILER_REMOVED, TRAILER_JOB_REQUESTS, TRAILER_RAN_JOB_REQUESTS, TRAILER_PASS } from './commitMessage.ts';
export type { ParsedTrailers, CommitMessageOptions } from './commitMessage.ts';
export type { ObjectStore } from './objectStore.ts';
