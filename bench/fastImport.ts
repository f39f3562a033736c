// Writes synthetic history fast: one `git fast-import` process per stream, no working tree.
import { spawn } from 'node:child_process';
import { sandboxGitEnv } from '../sandbox/git/index.ts';

/** Pipes a fast-import stream into a bare repo (a few ms per 1000 commits). */
export function fastImport(bareDir: string, stream: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', bareDir, 'fast-import', '--quiet'], { env: sandboxGitEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}: ${err}`))));
    child.stdin.end(stream);
  });
}
