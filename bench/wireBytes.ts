// Counts bytes on every TCP client socket this process opens (HTTP clients included), through
// the `net.client.socket` diagnostics channel. Read a total before and after a piece of work.
import diagnostics_channel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

const sockets = new Set<Socket>();
let closedRead = 0;
let closedWritten = 0;
let subscribed = false;

function onSocket(message: unknown): void {
  const socket = (message as { socket: Socket }).socket;
  sockets.add(socket);
  socket.once('close', () => {
    closedRead += socket.bytesRead;
    closedWritten += socket.bytesWritten;
    sockets.delete(socket);
  });
}

export function countWireBytes(): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics_channel.subscribe('net.client.socket', onSocket);
}

/** Bytes read and written so far by all client sockets (open and closed). */
export function wireBytes(): { read: number; written: number } {
  let read = closedRead;
  let written = closedWritten;
  for (const s of sockets) {
    read += s.bytesRead;
    written += s.bytesWritten;
  }
  return { read, written };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function table(rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
