// Smart-HTTP git server for the sandbox: every request is handed to the real `git http-backend`
// (CGI). This file only does basic auth, the CGI environment and the CGI response headers.
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runGit, sandboxGitEnv } from './gitCli.ts';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServerOptions {
  /** Directory holding the bare repos. Default: a new temp dir, removed on close(). */
  readonly root?: string;
  readonly username: string;
  readonly token: string;
  /** Basic-auth realm. */
  readonly realm?: string;
}

export interface CreateRepoOptions {
  /** Default `main`. */
  readonly branch?: string;
  /** Message of the seed commit. */
  readonly message?: string;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. Same as baseUrl. */
  readonly url: string;
  readonly baseUrl: string;
  readonly root: string;
  /** `<baseUrl>/<name>.git` */
  repoUrl(name: string): string;
  /** Creates the bare repo `<root>/<name>.git`; with seedDir, one initial commit of its files. Returns repoUrl(name). */
  createRepo(name: string, seedDir?: string, opts?: CreateRepoOptions): Promise<string>;
  /** Number of requests answered 401 (for tests). */
  readonly stats: { requests: number; unauthorized: number };
  close(): Promise<void>;
}

const REPO_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function repoDirName(name: string): string {
  const base = name.endsWith('.git') ? name : `${name}.git`;
  if (!REPO_NAME.test(base) || base.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid repo name ${JSON.stringify(name)}: use letters, digits, '.', '_', '-' and '/'`);
  }
  return base;
}

function checkBasicAuth(header: string | undefined, username: string, token: string): boolean {
  if (!header) return false;
  const m = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  return decoded.slice(0, i) === username && decoded.slice(i + 1) === token;
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(path.join(tmpdir(), 'azdo-gitops-git-')));
  await mkdir(root, { recursive: true });
  const realm = opts.realm ?? 'azdo-gitops sandbox git';
  const children = new Set<ChildProcess>();
  const stats = { requests: 0, unauthorized: 0 };

  const server = http.createServer((req, res) => {
    stats.requests++;
    if (!checkBasicAuth(req.headers.authorization, opts.username, opts.token)) {
      stats.unauthorized++;
      req.resume();
      res.writeHead(401, {
        'WWW-Authenticate': `Basic realm="${realm}"`,
        'Content-Type': 'text/plain',
      });
      res.end('authentication required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathInfo = decodeURIComponent(url.pathname);
    if (pathInfo.split('/').includes('..')) {
      req.resume();
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('bad path\n');
      return;
    }
    const env: NodeJS.ProcessEnv = {
      ...sandboxGitEnv(),
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: pathInfo,
      QUERY_STRING: url.search.startsWith('?') ? url.search.slice(1) : '',
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: opts.username,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      GATEWAY_INTERFACE: 'CGI/1.1',
      // push is allowed in every repo even if its config says otherwise
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = String(req.headers['content-length']);
    // http-backend decodes gzip request bodies itself when told the encoding.
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    const proto = req.headers['git-protocol'];
    if (proto) env.GIT_PROTOCOL = Array.isArray(proto) ? proto.join(':') : proto;

    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    child.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend failed to start: ${err.message}\n`);
      } else res.destroy();
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => { /* backend exited early; its response says why */ });
    req.on('error', () => child.kill());
    res.on('close', () => {
      if (child.exitCode === null && !res.writableFinished) child.kill();
    });

    // Parse CGI headers, then stream the rest as the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      const lfEnd = head.indexOf('\n\n');
      if (lfEnd >= 0 && (end < 0 || lfEnd < end)) {
        end = lfEnd;
        sepLen = 2;
      }
      if (end < 0) return;
      headersDone = true;
      const headerText = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + sepLen);
      let status = 200;
      let statusText: string | undefined;
      const headers: Record<string, string | string[]> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') {
          const m = /^(\d{3})\s*(.*)$/.exec(value);
          if (m) {
            status = Number(m[1]);
            statusText = m[2] || undefined;
          }
        } else if (headers[name] !== undefined) {
          const prev = headers[name]!;
          headers[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
        } else headers[name] = value;
      }
      if (statusText) res.writeHead(status, statusText, headers);
      else res.writeHead(status, headers);
      if (rest.length) res.write(rest);
    });
    child.on('close', (code) => {
      if (!headersDone) {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`git http-backend exited ${code} without a response: ${stderr.trim()}\n`);
        }
        return;
      }
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const repoUrl = (name: string): string => `${baseUrl}/${repoDirName(name)}`;

  async function createRepo(name: string, seedDir?: string, copts: CreateRepoOptions = {}): Promise<string> {
    const branch = copts.branch ?? 'main';
    const bare = path.join(root, repoDirName(name));
    await mkdir(path.dirname(bare), { recursive: true });
    await runGit(['init', '--quiet', '--bare', '-b', branch, bare], root);
    await runGit(['config', 'http.receivepack', 'true'], bare);
    // Like a protected branch: a force push is refused, so no commit a person pushed is lost.
    await runGit(['config', 'receive.denyNonFastForwards', 'true'], bare);
    if (seedDir !== undefined) {
      const st = await stat(seedDir);
      if (!st.isDirectory()) throw new Error(`seedDir ${seedDir} is not a directory`);
      const work = await mkdtemp(path.join(tmpdir(), 'azdo-gitops-seed-'));
      try {
        await runGit(['init', '--quiet', '-b', branch, path.join(work, 'seed')], work);
        const gitDir = path.join(work, 'seed', '.git');
        // No automatic gc: with thousands of files the commit starts one in the background,
        // which still writes into the scratch repository while it is removed below.
        const g = ['-c', 'gc.auto=0', '--git-dir', gitDir, '--work-tree', path.resolve(seedDir)];
        await runGit([...g, 'add', '-A', '.'], work);
        await runGit([...g, 'commit', '--quiet', '--allow-empty', '-m', copts.message ?? 'seed repository'], work);
        await runGit(['-c', 'gc.auto=0', '--git-dir', gitDir, 'push', '--quiet', bare, `${branch}:refs/heads/${branch}`], work);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
    return repoUrl(name);
  }

  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const c of children) c.kill('SIGKILL');
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    if (ownRoot) await rm(root, { recursive: true, force: true });
  }

  return { url: baseUrl, baseUrl, root, repoUrl, createRepo, stats, close };
}
