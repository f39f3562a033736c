// A tiny smart-HTTP git server for the real-cluster tests: node:http → `git http-backend` (CGI),
// basic auth on every request, push enabled. (The project's full server is sandbox/git/.)
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestGitServer {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  root: string;
  /** Creates a bare repo `<name>.git` (default branch main); returns its URL. */
  createRepo(name: string): string;
  close(): Promise<void>;
}

export async function startTestGitServer(opts: { username: string; password: string }): Promise<TestGitServer> {
  const root = mkdtempSync(join(tmpdir(), 'azdo-real-git-'));
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('authentication required\n');
      return;
    }
    const u = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: root,
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: req.headers['content-length'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: opts.username,
        REMOTE_ADDR: '127.0.0.1',
        SERVER_PROTOCOL: 'HTTP/1.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + sepLen));
    });
    let stderr = '';
    cgi.stderr.on('data', (d: Buffer) => (stderr += d));
    cgi.on('close', (code) => {
      if (!headersDone) {
        res.writeHead(500).end(`git http-backend failed (${code}): ${stderr}`);
        return;
      }
      res.end();
    });
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    baseUrl,
    root,
    createRepo(name) {
      const r = spawnSync('git', ['init', '--bare', '-q', '--initial-branch=main', join(root, `${name}.git`)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git init --bare failed: ${r.stderr}`);
      spawnSync('git', ['-C', join(root, `${name}.git`), 'config', 'http.receivepack', 'true']);
      return `${baseUrl}/${name}.git`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
