// Runs the real git CLI for the sandbox, isolated from the machine's user/system git config.
import { execFile } from 'node:child_process';

/** Env for sandbox git processes: no system/global config, fixed `sandbox` identity. */
export function sandboxGitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'sandbox',
    GIT_AUTHOR_EMAIL: 'sandbox@azdo-gitops.local',
    GIT_COMMITTER_NAME: 'sandbox',
    GIT_COMMITTER_EMAIL: 'sandbox@azdo-gitops.local',
    ...extra,
  };
}

export interface GitResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `git <args>` in cwd; rejects with stderr in the message on a non-zero exit. */
export function runGit(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, env: sandboxGitEnv(env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = new Error(`git ${args[0] ?? ''} failed (exit ${(err as { code?: unknown }).code}): ${stderr.trim()}`);
        (e as Error & { stderr?: string; stdout?: string }).stderr = stderr;
        (e as Error & { stderr?: string; stdout?: string }).stdout = stdout;
        reject(e);
      } else resolve({ stdout, stderr });
    });
  });
}
