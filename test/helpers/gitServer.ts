// Shared test helper: a sandbox git server with one seeded repo, and a real git CLI runner
// that authenticates without putting the token in argv or in a URL.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGitServer, runGit, type GitServer, type GitResult } from '../../sandbox/git/index.ts';
import type { GitRepoOptions } from '../../reconciler/gitops/index.ts';
import { useFixture } from './useFixture.ts';

export interface SeededGitServer {
  readonly server: GitServer;
  readonly username: string;
  readonly token: string;
  /** URL of the seeded repo (no credentials in it). */
  readonly repoUrl: string;
  readonly branch: string;
  /** Scratch dir for this fixture; removed by close(). */
  readonly tmp: string;
  /** Runs real `git` in cwd, authenticated to the server (Basic header through GIT_CONFIG_* env). */
  gitCli(args: readonly string[], cwd?: string): Promise<GitResult>;
  /** `git clone` of the seeded repo (or another URL) into dir (default: a fresh dir under tmp). Returns dir. */
  cloneTo(dir?: string, url?: string): Promise<string>;
  /** Clones, writes/deletes files, commits as `person <person@example.com>` and pushes. Returns the new commit oid. */
  pushAsPerson(files: Record<string, string | null>, message: string): Promise<string>;
  /** Commit subjects on the branch, newest first (fresh clone). */
  logSubjects(): Promise<string[]>;
  close(): Promise<void>;
}

export interface SeededGitServerOptions {
  /** Files of the initial commit, repo-relative path → content. */
  readonly files?: Record<string, string>;
  readonly repoName?: string;
  readonly username?: string;
  readonly token?: string;
}

export const DEFAULT_SEED_FILES: Record<string, string> = {
  'agents/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - sentinel.yaml\n',
  'agents/sentinel.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: azdo-gitops-sentinel\n',
  'agentspecs/linux-docker.yaml': 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata:\n  name: linux-docker\n',
  'templates/default.yaml': 'apiVersion: v1\nkind: Pod\n',
  'README.md': '# cluster repo\n',
};

let counter = 0;

export async function startSeededGitServer(opts: SeededGitServerOptions = {}): Promise<SeededGitServer> {
  const username = opts.username ?? 'azdo-gitops';
  const token = opts.token ?? `tok-${process.pid}-${Date.now().toString(36)}-secret`;
  const tmp = await mkdtemp(path.join(tmpdir(), 'azdo-gitops-test-'));
  const server = await startGitServer({ root: path.join(tmp, 'repos'), username, token });
  let repoUrl: string;
  try {
    const seed = path.join(tmp, 'seed');
    await mkdir(seed, { recursive: true });
    for (const [rel, content] of Object.entries(opts.files ?? DEFAULT_SEED_FILES)) {
      const file = path.join(seed, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    repoUrl = await server.createRepo(opts.repoName ?? 'cluster', seed);
    await rm(seed, { recursive: true, force: true });
  } catch (err) {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const branch = 'main';
  const authEnv = {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`,
  };
  const gitCli = (args: readonly string[], cwd: string = tmp) => runGit(args, cwd, authEnv);
  const cloneTo = async (dir?: string, url: string = repoUrl): Promise<string> => {
    const target = dir ?? path.join(tmp, `clone-${++counter}`);
    await gitCli(['clone', '--quiet', '-b', branch, url, target]);
    return target;
  };
  const pushAsPerson = async (files: Record<string, string | null>, message: string): Promise<string> => {
    const dir = await cloneTo();
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(dir, rel);
      if (content === null) await rm(file, { force: true });
      else {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    }
    const person = { GIT_AUTHOR_NAME: 'person', GIT_AUTHOR_EMAIL: 'person@example.com', GIT_COMMITTER_NAME: 'person', GIT_COMMITTER_EMAIL: 'person@example.com' };
    await runGit(['add', '-A'], dir, { ...authEnv, ...person });
    await runGit(['commit', '--quiet', '-m', message], dir, { ...authEnv, ...person });
    await gitCli(['push', '--quiet', 'origin', branch], dir);
    const { stdout } = await gitCli(['rev-parse', 'HEAD'], dir);
    await rm(dir, { recursive: true, force: true });
    return stdout.trim();
  };
  const logSubjects = async (): Promise<string[]> => {
    const dir = await cloneTo();
    const { stdout } = await gitCli(['log', '--format=%s', branch], dir);
    await rm(dir, { recursive: true, force: true });
    return stdout.split('\n').filter((l) => l.length > 0);
  };
  const close = async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  };
  return { server, username, token, repoUrl, branch, tmp, gitCli, cloneTo, pushAsPerson, logSubjects, close };
}

let caches = 0;

/** GitRepo options for the seeded repo, each call with its own fresh cache directory. */
export function repoOptionsFor(fx: SeededGitServer, extra: Partial<GitRepoOptions> = {}): GitRepoOptions {
  return {
    url: fx.repoUrl,
    branch: fx.branch,
    dir: path.join(fx.tmp, `cache-${++caches}`),
    auth: { username: fx.username, token: fx.token },
    author: { name: 'azdo-gitops', email: 'azdo-gitops@example.com' },
    ...extra,
  };
}

/** One seeded git server per test file (started in `before`, closed in `after`). */
export function useSeededGitServer(opts: SeededGitServerOptions = {}): SeededGitServer {
  return useFixture(() => startSeededGitServer(opts), (fx) => fx.close());
}
