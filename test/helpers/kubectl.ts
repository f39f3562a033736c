// Runs the real kubectl against a kubeconfig. Discovery is cached next to the kubeconfig (not
// in ~/.kube), so suites do not share or pollute a cache.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

export interface KubectlOptions { input?: string; timeoutMs?: number }

function env(kubeconfigPath: string): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: join(dirname(kubeconfigPath), '.kube-cache') };
}

/** stdout of `kubectl <args>`; throws with kubectl's stderr when it exits non-zero. */
export function kubectl(kubeconfigPath: string, args: string[], opts: KubectlOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { env: env(kubeconfigPath), timeout: opts.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

export interface KubectlProcess {
  child: ChildProcess;
  /** Output so far. */
  readonly stdout: string;
  /** Resolves once stdout matches `pattern`; rejects after `timeoutMs` with what was printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A long-running kubectl (e.g. `get -w`); call stop() in an after hook. */
export function startKubectl(kubeconfigPath: string, args: string[]): KubectlProcess {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { env: env(kubeconfigPath), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    get stdout() { return out; },
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`kubectl ${args.join(' ')}: ${pattern} not seen; stdout: ${out} stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
