import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitSourceError } from './errors.ts';

/** Where to fetch from. Credentials go in an http header through env, never on a command line or URL. */
export interface GitSource {
  gitUrl: string;
  username: string;
  token: string;
  branch: string;
}

/** The URL without any user:password part, safe for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

function gitEnv(src: GitSource): NodeJS.ProcessEnv {
  const basic = Buffer.from(`${src.username}:${src.token}`, 'utf8').toString('base64');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

function scrub(text: string, src: GitSource): string {
  let out = text.split(src.token).join('***');
  out = out.split(src.gitUrl).join(redactUrl(src.gitUrl));
  return out.trim();
}

function git(src: GitSource, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { env: gitEnv(src), cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new GitSourceError(`git ${args[0]} ${redactUrl(src.gitUrl)} failed: ${scrub(String(stderr) || err.message, src)}`));
      } else {
        resolve(String(stdout));
      }
    });
  });
}

/** The commit the branch points to on the remote (a cheap ls-remote, like Flux's revision check). */
export async function remoteHead(src: GitSource): Promise<string> {
  const out = await git(src, ['ls-remote', '--heads', src.gitUrl, `refs/heads/${src.branch}`]);
  const line = out.split('\n').find((l) => l.trim() !== '');
  if (!line) throw new GitSourceError(`git branch '${src.branch}' not found in ${redactUrl(src.gitUrl)}`);
  return line.split(/\s+/)[0]!;
}

/** A shallow single-branch clone into a new temp dir; the caller removes it with `rm`. */
export async function shallowClone(src: GitSource): Promise<{ dir: string; commit: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-syncer-'));
  try {
    await git(src, ['clone', '--quiet', '--depth', '1', '--single-branch', '--branch', src.branch, '--no-tags', src.gitUrl, dir]);
    const commit = (await git(src, ['rev-parse', 'HEAD'], dir)).trim();
    return { dir, commit };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
