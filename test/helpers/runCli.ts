// One CLI command as a child process, run to completion with exactly the environment given.
import { spawn } from 'node:child_process';
import { portsListenedUntilExit } from './listeningPorts.ts';

export interface CliRun {
  /** The exit code, or the signal's name when it was killed. */
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn to exit. */
  readonly ms: number;
  /** TCP ports it listened on at any sample (only with watchPorts). */
  readonly listened: readonly number[];
}

export interface CliRunOptions {
  /** The whole environment of the child: nothing is inherited. */
  readonly env: NodeJS.ProcessEnv;
  /** SIGKILL after this long (a command that should have exited). Default: wait. */
  readonly timeoutMs?: number;
  /** Sample the ports it listens on (Linux /proc). */
  readonly watchPorts?: boolean;
}

/** `entry`: the script, or node's flags followed by the script (e.g. an image's ENTRYPOINT). */
export function runCli(entry: string | readonly string[], args: readonly string[], opts: CliRunOptions): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [...(typeof entry === 'string' ? [entry] : entry), ...args], { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const ports = opts.watchPorts ? portsListenedUntilExit(child) : Promise.resolve([]);
  return new Promise((resolve) => {
    // 'close', not 'exit': stdout and stderr are complete.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      void ports.then((listened) => resolve({ code: code ?? signal ?? -1, stdout, stderr, ms, listened }));
    });
  });
}
