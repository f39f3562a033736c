// The cluster repo's own history, read from a clone for `azdo-gitops history`: the commits of a
// window and the pod files committed just before it. A shallow clone is deepened (fetched from
// its origin) as far as the window reaches; the reconciler's own cache is never used, so it stays
// a depth-1 clone for passes.
import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import httpNode from 'isomorphic-git/http/node';
import { InputError } from '../errors/inputError.ts';
import type { RepoFile } from '../agentspec/loadSpecs.ts';
import { isPodManifestPath, normalizeDir } from '../manifests/layout.ts';
import { classifyGitError } from './classifyGitError.ts';
import { redactUrl } from '../support/redact.ts';

export interface HistoryCommit {
  readonly oid: string;
  readonly time: Date;
  readonly message: string;
}

export interface CommitHistory {
  /** Oldest first. */
  readonly commits: readonly HistoryCommit[];
  /** Pod manifests committed before the first of `commits` (what the window starts from). */
  readonly baselinePods: readonly RepoFile[];
  /** When the window starts: `since`, else the time of the state baselinePods shows. */
  readonly start: Date;
  /** Set when the clone ends (shallow) inside the window and could not be deepened: the first commit read stands in for the start. */
  readonly truncated: string | undefined;
  /** Commits fetched to deepen the clone. */
  readonly deepened: boolean;
}

export interface ReadHistoryOptions {
  /** Commits after this time; undefined: the whole history the clone holds (deepened to the root). */
  readonly since: Date | undefined;
  readonly agentsPath: string;
  /** Basic auth for deepening from an http(s) origin (GIT_USERNAME / GIT_TOKEN). */
  readonly auth?: { readonly username: string; readonly token: string } | undefined;
}

async function gitdirOf(dir: string): Promise<string> {
  const dotGit = path.join(dir, '.git');
  const st = await fs.promises.stat(dotGit).catch(() => undefined);
  if (st?.isDirectory()) return dotGit;
  if (st?.isFile()) {
    // A worktree or submodule: `.git` names the real gitdir.
    const m = /^gitdir:\s*(.+)$/m.exec(await fs.promises.readFile(dotGit, 'utf8'));
    if (m) return path.resolve(dir, m[1]!.trim());
  }
  if (await fs.promises.stat(path.join(dir, 'HEAD')).catch(() => undefined)) return dir; // a bare repository
  throw new InputError(`history: ${dir} is not a git clone of the cluster repo; clone it (git clone <GIT_URL>) and run history there`);
}

async function shallowOids(gitdir: string): Promise<Set<string>> {
  const text = await fs.promises.readFile(path.join(gitdir, 'shallow'), 'utf8').catch(() => '');
  return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean));
}

const commitTime = (c: { committer: { timestamp: number } }): Date => new Date(c.committer.timestamp * 1000);

async function podFilesAt(gitdir: string, oid: string, agentsPath: string, cache: object): Promise<RepoFile[]> {
  const out: RepoFile[] = [];
  const a = normalizeDir(agentsPath);
  // Descend only into the agents directory and the directories above it.
  const onPath = (p: string): boolean => a === '' || p === a || a.startsWith(p + '/') || p.startsWith(a + '/');
  await git.walk({
    fs, gitdir, cache, trees: [git.TREE({ ref: oid })],
    map: async (filepath, [entry]) => {
      if (!entry || filepath === '.') return true;
      const type = await entry.type();
      if (type === 'tree') return onPath(filepath) ? true : null;
      if (type === 'blob' && isPodManifestPath(agentsPath, filepath)) {
        out.push({ path: filepath, content: Buffer.from((await entry.content()) ?? new Uint8Array()).toString('utf8') });
      }
      return true;
    },
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Fetches the branch from origin back to `since` (or to the root). Returns false when there is no http(s) origin or the fetch fails. */
async function deepen(gitdir: string, since: Date | undefined, auth: ReadHistoryOptions['auth'], cache: object): Promise<boolean> {
  const url = await git.getConfig({ fs, gitdir, path: 'remote.origin.url' }).catch(() => undefined) as string | undefined;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return false;
  const branch = (await git.currentBranch({ fs, gitdir }).catch(() => undefined)) ?? undefined;
  const headers: Record<string, string> = auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.token}`).toString('base64')}` } : {};
  try {
    await git.fetch({
      fs, http: httpNode, gitdir, url, ...(branch ? { ref: branch } : {}), singleBranch: true, tags: false, headers, cache,
      // One commit before `since` is the window's starting state; with no `since`, the whole history.
      ...(since ? { since: new Date(since.getTime() - 1000) } : { depth: 2 ** 31 - 1 }),
    });
    if (since) await git.fetch({ fs, http: httpNode, gitdir, url, ...(branch ? { ref: branch } : {}), singleBranch: true, tags: false, headers, cache, depth: 1, relative: true });
    return true;
  } catch (err) {
    throw classifyGitError(err, 'fetch (deepen for history)', redactUrl(url), auth ? [auth.token] : [], 'GIT_TOKEN');
  }
}

async function readWindow(gitdir: string, since: Date | undefined, cache: object) {
  const log = await git.log({ fs, gitdir, ref: 'HEAD', cache, ...(since ? { since } : {}) });
  return log; // newest first; stops at a shallow boundary
}

/** The commits of the window and the pods committed before it, deepening a shallow clone as needed. */
export async function readCommitHistory(dir: string, opts: ReadHistoryOptions): Promise<CommitHistory> {
  const gitdir = await gitdirOf(dir);
  const cache = {};
  let log = await readWindow(gitdir, opts.since, cache);
  if (log.length === 0) return { commits: [], baselinePods: [], start: opts.since ?? new Date(0), truncated: undefined, deepened: false };
  let deepened = false;
  const reachesBoundary = async () => {
    const oldest = log.at(-1)!;
    const shallow = await shallowOids(gitdir);
    // The window may go further back than the clone: the oldest commit read is a shallow boundary.
    return shallow.has(oldest.oid) && (opts.since === undefined || commitTime(oldest.commit) > opts.since);
  };
  if (await reachesBoundary()) {
    deepened = await deepen(gitdir, opts.since, opts.auth, cache);
    if (deepened) log = await readWindow(gitdir, opts.since, cache);
  }
  const oldest = log.at(-1)!;
  const parent = oldest.commit.parent[0];
  const shallow = await shallowOids(gitdir);
  const parentReadable = parent !== undefined && !shallow.has(oldest.oid) && (await git.readCommit({ fs, gitdir, oid: parent, cache }).then(() => true, () => false));
  let commits = log.slice().reverse();
  let baselineOid: string | undefined;
  let start: Date;
  let truncated: string | undefined;
  if (parentReadable) {
    baselineOid = parent;
    const p = await git.readCommit({ fs, gitdir, oid: parent, cache });
    start = opts.since ?? commitTime(p.commit);
  } else if (parent === undefined) {
    baselineOid = undefined; // the root commit: nothing before it
    start = opts.since ?? commitTime(oldest.commit);
  } else {
    // A shallow end inside the window: the state after the oldest commit is the first one known.
    baselineOid = oldest.oid;
    commits = commits.slice(1);
    start = commitTime(oldest.commit);
    truncated = `the clone ends at ${oldest.oid.slice(0, 8)} (${start.toISOString()}); deepen it (git fetch --shallow-since=<date>) to see further back`;
  }
  const baselinePods = baselineOid === undefined ? [] : await podFilesAt(gitdir, baselineOid, opts.agentsPath, cache);
  return {
    commits: commits.map((c) => ({ oid: c.oid, time: commitTime(c.commit), message: c.commit.message })),
    baselinePods,
    start,
    truncated,
    deepened,
  };
}
