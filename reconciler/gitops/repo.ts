// The reconciler's view of the cluster repo: a shallow, object-level cache (no working tree) of
// one branch. Reads files of a commit, writes a commit on top of a fetched tip, pushes it without
// force. A crash never leaves a half-written checkout: there is none, and a clone is made in a
// fresh directory and only switched to (CURRENT file, atomic rename) once complete.
import fs from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import httpNode from 'isomorphic-git/http/node';
import type { RepoFile } from '../agentspec/loadSpecs.ts';
import { GitOperationError } from '../errors/gitErrors.ts';
import { classifyGitError } from './classifyGitError.ts';
import { withKeyedLock } from './mutex.ts';
import type { BranchRepo } from './branchRepo.ts';
import type { ObjectStore } from './objectStore.ts';
import { redactUrl } from '../support/redact.ts';
import { splitRepoPath, writeTreeWithChanges, type TreeChange } from './treeEdit.ts';
import type { Logger } from '../support/logger.ts';

/** The part of the logger the git adapter writes to. */
export type GitLog = Pick<Logger, 'info' | 'warn'>;

export interface GitRepoOptions {
  readonly url: string;
  readonly branch: string;
  /** Local cache directory (created if missing). Owned by this repo: its content may be deleted. */
  readonly dir: string;
  readonly auth: { readonly username: string; readonly token: string };
  readonly author: { readonly name: string; readonly email: string };
  /** Named in GitAuthError messages. Default `GIT_TOKEN`. */
  readonly tokenEnvVar?: string;
  /** Re-clone (fresh depth-1) after this many fetchTip() calls. Default 50. */
  readonly recloneAfterFetches?: number;
  /** Re-clone when the objects directory grows past this many bytes. Default 32 MiB. */
  readonly maxObjectsBytes?: number;
  readonly logger?: GitLog;
  /** Default isomorphic-git/http/node. */
  readonly http?: HttpClient;
}

export interface GitRepoStats {
  /** Fresh clones made (the first one included). */
  readonly clones: number;
  /** Pack fetches made. */
  readonly fetches: number;
  /** fetchTip() calls answered by ls-refs alone (the remote tip was already in the cache). */
  readonly upToDate: number;
  readonly pushes: number;
  /** Response bytes of the last fetch or clone (pack + protocol), and of all of them. */
  readonly lastFetchBytes: number;
  readonly totalFetchBytes: number;
  /** Size and file count of the objects directory, measured after the last fetch. */
  readonly objectsBytes: number;
  readonly objectFiles: number;
  readonly gitdir: string | undefined;
}

const CURRENT = 'CURRENT';

interface DirStats {
  bytes: number;
  files: number;
}

async function dirStats(dir: string): Promise<DirStats> {
  const out: DirStats = { bytes: 0, files: 0 };
  let entries: fs.Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = await dirStats(p);
      out.bytes += s.bytes;
      out.files += s.files;
    } else if (e.isFile()) {
      out.bytes += (await stat(p)).size;
      out.files++;
    }
  }
  return out;
}

/** One subtree as read: its files (recursive) and the keys (path + id) of its direct subtrees and blobs. */
interface TreeRead {
  readonly files: RepoFile[];
  readonly subtrees: readonly string[];
  readonly blobs: readonly string[];
}

interface ReadCache {
  readonly trees: Map<string, TreeRead>;
  readonly blobs: Map<string, RepoFile>;
}

const emptyReadCache = (): ReadCache => ({ trees: new Map(), blobs: new Map() });

export class GitRepo implements BranchRepo {
  readonly url: string;
  readonly branch: string;
  readonly dir: string;
  readonly #opts: GitRepoOptions;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #http: HttpClient;
  #store: ObjectStore | undefined;
  /** Per directory read: the subtrees and blobs (by path and id) of the last read. */
  readonly #treeFiles = new Map<string, ReadCache>();
  #generation = 0;
  #fetchesSinceClone = 0;
  #stats = { clones: 0, fetches: 0, upToDate: 0, pushes: 0, lastFetchBytes: 0, totalFetchBytes: 0, objectsBytes: 0, objectFiles: 0 };
  #bytesCounter = 0;

  private constructor(opts: GitRepoOptions) {
    this.#opts = opts;
    this.url = opts.url;
    this.branch = opts.branch;
    this.dir = opts.dir;
    const basic = Buffer.from(`${opts.auth.username}:${opts.auth.token}`).toString('base64');
    // Sent up front (no 401 round trip); isomorphic-git then never needs onAuth.
    this.#headers = { Authorization: `Basic ${basic}` };
    this.#secrets = [opts.auth.token, `${opts.auth.username}:${opts.auth.token}`, basic];
    const inner = opts.http ?? (httpNode as HttpClient);
    this.#http = {
      request: async (req) => {
        const res = await inner.request(req);
        const body = res.body;
        if (!body) return res;
        const self = this;
        async function* counted(): AsyncIterableIterator<Uint8Array> {
          for await (const chunk of body!) {
            self.#bytesCounter += chunk.byteLength;
            yield chunk;
          }
        }
        return { ...res, body: counted() };
      },
    };
  }

  /** Opens the cache (cloning when missing or corrupt). Throws GitAuthError / GitUnreachableError / GitOperationError. */
  static async open(opts: GitRepoOptions): Promise<GitRepo> {
    const repo = new GitRepo(opts);
    await repo.exclusive(() => repo.#ensureStore());
    return repo;
  }

  get #lockKey(): string {
    return `${redactUrl(this.url)}#${this.branch}`;
  }

  /** Runs fn holding this repo/branch's in-process lock (re-entrant). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withKeyedLock(this.#lockKey, fn);
  }

  get stats(): GitRepoStats {
    return { ...this.#stats, gitdir: this.#store?.gitdir };
  }

  #wrap(operation: string, err: unknown): Error {
    return classifyGitError(err, operation, this.url, this.#secrets, this.#opts.tokenEnvVar ?? 'GIT_TOKEN');
  }

  get #remoteRef(): string {
    return `refs/remotes/origin/${this.branch}`;
  }

  async #isHealthy(store: ObjectStore): Promise<boolean> {
    try {
      const oid = await git.resolveRef({ fs, gitdir: store.gitdir, ref: this.#remoteRef });
      await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
      return true;
    } catch {
      return false;
    }
  }

  async #hasCommit(store: ObjectStore, oid: string): Promise<boolean> {
    try {
      await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
      return true;
    } catch {
      return false;
    }
  }

  async #ensureStore(): Promise<ObjectStore> {
    if (this.#store) return this.#store;
    await mkdir(this.dir, { recursive: true });
    let current: string | undefined;
    try {
      current = (await readFile(path.join(this.dir, CURRENT), 'utf8')).trim() || undefined;
    } catch {
      current = undefined;
    }
    if (current && /^repo-\d+\.git$/.test(current)) {
      const store: ObjectStore = { fs, gitdir: path.join(this.dir, current), cache: {} };
      this.#generation = Number(/\d+/.exec(current)![0]);
      if (await this.#isHealthy(store)) {
        this.#store = store;
        await this.#removeStale(current);
        await this.#measure();
        return store;
      }
      this.#opts.logger?.warn('git cache is unreadable, cloning again', { dir: this.dir });
    }
    return this.#clone();
  }

  async #removeStale(keep: string): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (name !== keep && name !== CURRENT && /^repo-\d+\.git(\.tmp)?$/.test(name)) {
        await rm(path.join(this.dir, name), { recursive: true, force: true });
      }
    }
  }

  /** A fresh depth-1 clone into a new directory, switched to atomically; the old one is deleted. */
  async #clone(): Promise<ObjectStore> {
    const name = `repo-${++this.#generation}.git`;
    const gitdir = path.join(this.dir, name);
    await rm(gitdir, { recursive: true, force: true });
    const store: ObjectStore = { fs, gitdir, cache: {} };
    this.#bytesCounter = 0;
    try {
      await git.clone({
        fs, http: this.#http, dir: gitdir, gitdir, url: this.url, ref: this.branch,
        singleBranch: true, depth: 1, noCheckout: true, noTags: true, headers: { ...this.#headers }, cache: store.cache,
      });
    } catch (err) {
      await rm(gitdir, { recursive: true, force: true });
      const code = (err as { code?: string }).code;
      if (code === 'NotFoundError') {
        throw new GitOperationError('clone', redactUrl(this.url), `branch ${this.branch} not found: push an initial commit to it (or set GIT_BRANCH)`);
      }
      throw this.#wrap('clone', err);
    }
    await writeFile(path.join(this.dir, `${CURRENT}.tmp`), name + '\n');
    await rename(path.join(this.dir, `${CURRENT}.tmp`), path.join(this.dir, CURRENT));
    this.#store = store; // the old store and its cache are dropped here
    this.#fetchesSinceClone = 0;
    this.#stats.clones++;
    this.#stats.lastFetchBytes = this.#bytesCounter;
    this.#stats.totalFetchBytes += this.#bytesCounter;
    await this.#removeStale(name);
    await this.#measure();
    return store;
  }

  async #measure(): Promise<void> {
    if (!this.#store) return;
    const s = await dirStats(path.join(this.#store.gitdir, 'objects'));
    this.#stats.objectsBytes = s.bytes;
    this.#stats.objectFiles = s.files;
  }

  /** Shallow-fetches the branch and returns its tip commit oid. Re-clones when the cache is due or broken. */
  fetchTip(): Promise<string> {
    return this.exclusive(async () => {
      let store = await this.#ensureStore();
      const due =
        this.#fetchesSinceClone >= (this.#opts.recloneAfterFetches ?? 50) ||
        this.#stats.objectsBytes > (this.#opts.maxObjectsBytes ?? 32 * 1024 * 1024);
      if (due) {
        this.#opts.logger?.info('re-cloning the git cache to keep it small', {
          fetches: this.#fetchesSinceClone, objectsBytes: this.#stats.objectsBytes,
        });
        store = await this.#clone();
        return git.resolveRef({ fs, gitdir: store.gitdir, ref: this.#remoteRef });
      }
      this.#bytesCounter = 0;
      let tip: string;
      try {
        // Cheap check first (ls-refs): when the remote tip is a commit we already hold, which is
        // the usual case right after our own push, there is nothing to fetch.
        const refs = await git.listServerRefs({
          http: this.#http, url: this.url, headers: { ...this.#headers }, protocolVersion: 2, prefix: `refs/heads/${this.branch}`,
        });
        const remoteTip = refs.find((r) => r.ref === `refs/heads/${this.branch}`)?.oid;
        if (remoteTip && (await this.#hasCommit(store, remoteTip))) {
          await git.writeRef({ fs, gitdir: store.gitdir, ref: this.#remoteRef, value: remoteTip, force: true });
          this.#fetchesSinceClone++;
          this.#stats.upToDate++;
          this.#stats.lastFetchBytes = this.#bytesCounter;
          this.#stats.totalFetchBytes += this.#bytesCounter;
          return remoteTip;
        }
        const r = await git.fetch({
          fs, http: this.#http, gitdir: store.gitdir, url: this.url, ref: this.branch, remoteRef: this.branch,
          singleBranch: true, depth: 1, tags: false, headers: { ...this.#headers }, cache: store.cache,
        });
        if (!r.fetchHead) throw new GitOperationError('fetch', redactUrl(this.url), `branch ${this.branch} not found on the remote`);
        tip = r.fetchHead;
      } catch (err) {
        throw this.#wrap('fetch', err);
      }
      this.#fetchesSinceClone++;
      this.#stats.fetches++;
      this.#stats.lastFetchBytes = this.#bytesCounter;
      this.#stats.totalFetchBytes += this.#bytesCounter;
      try {
        await git.readCommit({ fs, gitdir: store.gitdir, oid: tip, cache: store.cache });
      } catch {
        this.#opts.logger?.warn('fetched tip is not readable from the git cache, cloning again', { tip });
        store = await this.#clone();
        return git.resolveRef({ fs, gitdir: store.gitdir, ref: this.#remoteRef });
      }
      await this.#measure();
      return tip;
    });
  }

  /** Every file below dirPath (recursive) in commitOid, sorted by path; [] when the directory is missing. */
  readFiles(commitOid: string, dirPath: string): Promise<RepoFile[]> {
    return this.exclusive(async () => {
      const store = await this.#ensureStore();
      const { commit } = await git.readCommit({ fs, gitdir: store.gitdir, oid: commitOid, cache: store.cache });
      const clean = dirPath.replace(/^\.?\/+|\/+$/g, '');
      let treeOid = commit.tree;
      if (clean !== '' && clean !== '.') {
        for (const part of splitRepoPath(clean)) {
          const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid: treeOid, cache: store.cache });
          const entry = tree.find((e) => e.path === part);
          if (entry?.type !== 'tree') return [];
          treeOid = entry.oid;
        }
      }
      // Git is content-addressed: a subtree or blob whose id is unchanged holds the same files. The files
      // of every subtree read last time under this directory are reused by id, so a pass reads
      // only the blobs that changed, and returns the very same RepoFile objects for the rest
      // (callers may cache what they derive from them by identity). Only this read's subtrees
      // are kept for the next, so the cache is the size of the current tree.
      const previous = this.#treeFiles.get(clean) ?? emptyReadCache();
      const current = emptyReadCache();
      // A subtree known whole is carried over with everything below it: the next read, of a
      // commit that changed one file in it, then re-reads that file's trees and blob only.
      const keep = (key: string, t: TreeRead): void => {
        current.trees.set(key, t);
        for (const b of t.blobs) {
          const f = previous.blobs.get(b);
          if (f !== undefined) current.blobs.set(b, f);
        }
        for (const sub of t.subtrees) {
          const st = previous.trees.get(sub);
          if (st !== undefined && !current.trees.has(sub)) keep(sub, st);
        }
      };
      const walk = async (oid: string, prefix: string): Promise<RepoFile[]> => {
        const key = `${prefix}\u0000${oid}`;
        const done = current.trees.get(key);
        if (done) return done.files;
        const known = previous.trees.get(key);
        if (known) {
          keep(key, known);
          return known.files;
        }
        const files: RepoFile[] = [];
        const subtrees: string[] = [];
        const blobs: string[] = [];
        const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache });
        for (const e of tree) {
          const p = prefix ? `${prefix}/${e.path}` : e.path;
          if (e.type === 'tree') {
            subtrees.push(`${p}\u0000${e.oid}`);
            files.push(...(await walk(e.oid, p)));
          } else if (e.type === 'blob') {
            const blobKey = `${p}\u0000${e.oid}`;
            let file = previous.blobs.get(blobKey) ?? current.blobs.get(blobKey);
            if (file === undefined) {
              const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid: e.oid, cache: store.cache });
              file = { path: p, content: Buffer.from(blob).toString('utf8') };
            }
            current.blobs.set(blobKey, file);
            blobs.push(blobKey);
            files.push(file);
          }
        }
        current.trees.set(key, { files, subtrees, blobs });
        return files;
      };
      const out = [...(await walk(treeOid, clean === '.' ? '' : clean))];
      this.#treeFiles.set(clean, current);
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    });
  }

  /** One file of a commit, or undefined. */
  async readFile(commitOid: string, filePath: string): Promise<string | undefined> {
    const dir = filePath.includes('/') ? filePath.slice(0, filePath.lastIndexOf('/')) : '';
    const files = await this.readFiles(commitOid, dir);
    return files.find((f) => f.path === filePath)?.content;
  }

  /**
   * Writes tree(parent) + changes and a commit on top of parentOid, and points the local branch at it.
   * Returns undefined when the changes leave the tree as it is (nothing to commit).
   */
  commitChanges(parentOid: string, changes: readonly TreeChange[], message: string, now: Date = new Date()): Promise<string | undefined> {
    return this.exclusive(async () => {
      const store = await this.#ensureStore();
      const { commit: parent } = await git.readCommit({ fs, gitdir: store.gitdir, oid: parentOid, cache: store.cache });
      const tree = await writeTreeWithChanges(store, parent.tree, changes);
      if (tree === parent.tree) return undefined;
      const who = {
        name: this.#opts.author.name,
        email: this.#opts.author.email,
        timestamp: Math.floor(now.getTime() / 1000),
        timezoneOffset: 0,
      };
      const oid = await git.writeCommit({
        fs, gitdir: store.gitdir,
        commit: { message: message.endsWith('\n') ? message : message + '\n', tree, parent: [parentOid], author: who, committer: who },
      });
      await git.writeRef({ fs, gitdir: store.gitdir, ref: `refs/heads/${this.branch}`, value: oid, force: true });
      return oid;
    });
  }

  /**
   * Pushes commitOid to the branch, never forcing. Rejections (the remote moved) surface as
   * isomorphic-git's PushRejectedError / GitPushError for pushWithRetry; other failures are typed.
   */
  push(commitOid: string, signal?: AbortSignal): Promise<void> {
    return this.exclusive(async () => {
      const store = await this.#ensureStore();
      await git.writeRef({ fs, gitdir: store.gitdir, ref: `refs/heads/${this.branch}`, value: commitOid, force: true });
      try {
        await git.push({
          fs, http: this.#http, gitdir: store.gitdir, url: this.url, ref: this.branch, remoteRef: this.branch,
          force: false, headers: { ...this.#headers }, cache: store.cache, ...(signal ? { signal } : {}),
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'PushRejectedError' || code === 'GitPushError') throw err;
        throw this.#wrap('push', err);
      }
      this.#stats.pushes++;
    });
  }

  /** Forces the next fetchTip() to re-clone (e.g. after a corrupt read). */
  invalidate(): Promise<void> {
    return this.exclusive(async () => {
      this.#fetchesSinceClone = Number.POSITIVE_INFINITY;
    });
  }
}
