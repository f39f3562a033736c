// Which TCP ports a process listens on, read from /proc (Linux): a process's socket file
// descriptors matched against the kernel's table of listening sockets.
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';

const LISTEN = '0A';

/** The TCP ports `pid` listens on now; [] once it has exited. */
export async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
    if (m) inodes.add(m[1]!);
  }
  if (inodes.size === 0) return [];
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    for (const row of (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === LISTEN && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Samples the child's listening ports until it exits; resolves with every port seen. */
export async function portsListenedUntilExit(child: ChildProcess, everyMs = 20): Promise<number[]> {
  const seen = new Set<number>();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let done = false;
  void exited.then(() => (done = true));
  while (!done && child.pid !== undefined) {
    for (const p of await listeningPorts(child.pid)) seen.add(p);
    await Promise.race([exited, new Promise((r) => setTimeout(r, everyMs))]);
  }
  return [...seen].sort((a, b) => a - b);
}
