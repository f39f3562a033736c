// The cluster repo's remote branch, in memory: commits are immutable file maps; a push lands
// only on the tip it was made on (no force), so another writer's commit in between rejects it.
// MemoryRepo is one reconciler process's BranchRepo over it: every call takes virtual time, and
// a crashed process's calls never return.
import type { RepoFile } from '../reconciler/agentspec/loadSpecs.ts';
import type { BranchRepo } from '../reconciler/gitops/branchRepo.ts';
import type { TreeChange } from '../reconciler/gitops/treeEdit.ts';
import type { Rng } from './random.ts';
import type { Owner, VirtualTime } from './virtualTime.ts';

export interface Commit {
  readonly oid: string;
  readonly parent: string | undefined;
  readonly files: ReadonlyMap<string, string>;
  readonly author: 'reconciler' | 'person';
  readonly message: string;
  readonly at: number;
}

export class GitRemote {
  readonly commits = new Map<string, Commit>();
  #tip: string;
  #seq = 0;
  readonly #files = new Map<string, RepoFile>();
  /** Called after every accepted push (the invariants look at each commit). */
  onPush: (c: Commit) => void = () => {};

  constructor(files: ReadonlyMap<string, string>, at: number) {
    this.#tip = this.create(undefined, files, 'person', 'initial', at).oid;
  }

  get tip(): string {
    return this.#tip;
  }

  tipCommit(): Commit {
    return this.commits.get(this.#tip)!;
  }

  /**
   * The file as readFiles returns it: the same object while the path's content stays the same,
   * as GitRepo.readFiles returns it for an unchanged blob id, so what a pass derives from a file
   * by identity is reused. Shared by every reconciler process of the run, like the remote's
   * objects: a restarted process finds those parse caches warm. They hold pure functions of the
   * file, so this changes what a restart costs, never what it does.
   */
  file(path: string, content: string): RepoFile {
    const known = this.#files.get(path);
    if (known !== undefined && known.content === content) return known;
    const file = { path, content };
    this.#files.set(path, file);
    return file;
  }

  /** A commit object (not yet on the branch). */
  create(parent: string | undefined, files: ReadonlyMap<string, string>, author: Commit['author'], message: string, at: number): Commit {
    // Sequential, reading like a hash where a log shows its first 12 characters.
    const oid = (++this.#seq).toString(16).padStart(12, '0').padEnd(40, '0');
    const c: Commit = { oid, parent, files, author, message, at };
    this.commits.set(oid, c);
    return c;
  }

  /** Fast-forward only: false when the branch moved past the commit's parent. */
  push(oid: string): boolean {
    const c = this.commits.get(oid);
    if (!c || c.parent !== this.#tip) return false;
    this.#tip = oid;
    this.onPush(c);
    return true;
  }

  /** Another writer (a person, CI) commits straight onto the branch. */
  commitAsPerson(edit: (files: Map<string, string>) => string, at: number): Commit {
    const files = new Map(this.tipCommit().files);
    const message = edit(files);
    const c = this.create(this.#tip, files, 'person', message, at);
    this.push(c.oid);
    return c;
  }
}

export function applyChanges(base: ReadonlyMap<string, string>, changes: readonly TreeChange[]): Map<string, string> {
  const files = new Map(base);
  for (const ch of changes) {
    if (ch.content === null) {
      files.delete(ch.path);
      for (const p of [...files.keys()]) if (p.startsWith(`${ch.path}/`)) files.delete(p);
    } else {
      files.set(ch.path, ch.content);
    }
  }
  return files;
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export interface RepoHooks {
  /** After a fetch returns, before the process sees it: another writer may push here. */
  afterFetch(): void;
  /** A push is about to be sent (after the leadership check). */
  beforePush?(): void;
  /** The push reaches the remote now (the remote's onPush runs next, if it lands). */
  arriving?(): void;
}

export class MemoryRepo implements BranchRepo {
  readonly url = 'memory://cluster-repo';
  readonly branch = 'main';
  readonly #remote: GitRemote;
  readonly #vt: VirtualTime;
  readonly #rng: Rng;
  readonly #owner: Owner;
  readonly #hooks: RepoHooks;
  calls = 0;

  constructor(remote: GitRemote, vt: VirtualTime, rng: Rng, owner: Owner, hooks: RepoHooks) {
    this.#remote = remote;
    this.#vt = vt;
    this.#rng = rng;
    this.#owner = owner;
    this.#hooks = hooks;
  }

  /** One process, one pass at a time: nothing else runs against this repo in between. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async fetchTip(): Promise<string> {
    this.calls++;
    await this.#vt.delay(this.#rng.int(20, 400), 'git fetch', this.#owner);
    const tip = this.#remote.tip;
    this.#hooks.afterFetch();
    return tip;
  }

  async readFiles(commitOid: string, dirPath: string): Promise<RepoFile[]> {
    const c = this.#remote.commits.get(commitOid);
    if (!c) throw new Error(`commit ${commitOid} was never fetched`);
    const prefix = dirPath.replace(/\/+$/, '') + '/';
    const out: RepoFile[] = [];
    for (const [path, content] of c.files) if (path.startsWith(prefix)) out.push(this.#remote.file(path, content));
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async commitChanges(parentOid: string, changes: readonly TreeChange[], message: string, now?: Date): Promise<string | undefined> {
    const parent = this.#remote.commits.get(parentOid);
    if (!parent) throw new Error(`commit ${parentOid} was never fetched`);
    const files = applyChanges(parent.files, changes);
    if (sameFiles(files, parent.files)) return undefined;
    return this.#remote.create(parentOid, files, 'reconciler', message, (now ?? this.#vt.date()).getTime()).oid;
  }

  async push(commitOid: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#hooks.beforePush?.();
    this.calls++;
    await this.#vt.delay(this.#rng.int(50, 600), 'git push', this.#owner);
    this.#hooks.arriving?.();
    if (!this.#remote.push(commitOid)) {
      // isomorphic-git's shape for a non-fast-forward refusal (classifyGitError.isPushRejection).
      throw Object.assign(new Error('push rejected: the remote branch moved (non-fast-forward)'), { code: 'PushRejectedError', data: { reason: 'not-fast-forward' } });
    }
  }
}
