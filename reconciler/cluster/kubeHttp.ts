// The KubeClient over node:http(s): one keep-alive agent, every request bounded in time and
// abortable, watches read as newline-delimited JSON. How a request is authenticated comes from
// a Connect function (kubeconfigAuth.ts's target, or client-node for plugin users).
import http, { type Agent, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeClient, KubeRequest, KubeWatchRequest } from './kubeClient.ts';
import { KubeApiError } from './kubeApiError.ts';
import type { KubeTarget } from './kubeconfigAuth.ts';

/** What one request is sent with: the agent (TLS material, proxy) and headers (Authorization). */
export interface Connection {
  readonly agent: Agent | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** user:password, for basic auth (client-node's plugin path only). */
  readonly auth?: string;
}

export type Connect = () => Promise<Connection>;

/** The Connect of a kubeconfig or in-cluster target: one agent; the token looked up per request, as it may rotate. */
export function directConnect(target: KubeTarget): Connect {
  const agent = target.server.startsWith('http:') ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...target.tls });
  return async () => {
    const token = target.token();
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    return { agent, headers };
  };
}

function urlOf(server: string, path: string, query: KubeRequest['query']): URL {
  const url = new URL(server + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** Sends the request; resolves with the response once its status and headers are in. Aborting `signal` rejects with its reason. */
function send(url: URL, method: string, conn: Connection, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method,
      agent: conn.agent,
      headers: { Accept: 'application/json', 'User-Agent': 'azdo-gitops', ...conn.headers, ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      ...(conn.auth ? { auth: conn.auth } : {}),
    });
    const onAbort = () => {
      req.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    req.on('response', (res) => {
      signal.removeEventListener('abort', onAbort);
      resolve(res);
    });
    req.end(body);
  });
}

/** The whole body; aborting `signal` destroys the response and rejects with its reason. */
function readBody(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      res.destroy();
      return reject(signal.reason);
    }
    const chunks: Buffer[] = [];
    const onAbort = () => {
      res.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

export function createKubeClient(server: string, connect: Connect): KubeClient {
  return {
    server,
    async request(req) {
      const signal = req.signal ? AbortSignal.any([AbortSignal.timeout(req.timeoutMs), req.signal]) : AbortSignal.timeout(req.timeoutMs);
      const conn = await connect();
      const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      const res = await send(urlOf(server, req.path, req.query), req.method, conn, body ? { 'Content-Type': req.contentType ?? 'application/json' } : {}, body, signal);
      const text = await readBody(res, signal);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw new KubeApiError(status, text, `${req.method} ${req.path}`);
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // A proxy's or maintenance page answered 200: no answer from the API server, as far as we can tell.
        throw new Error(`${req.method} ${req.path}: the answer (${status}) is not JSON: ${text.trim().split('\n')[0]?.slice(0, 80) ?? ''}`);
      }
    },

    async watch(req: KubeWatchRequest, onEvent, done) {
      const controller = new AbortController();
      let finished = false;
      let res: IncomingMessage | undefined;
      let idle: NodeJS.Timeout | undefined;
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        res?.destroy();
        if (!controller.signal.aborted) controller.abort();
        done(err);
      };
      // The caller's abort ends the watch quietly.
      controller.signal.addEventListener('abort', () => {
        finished = true;
        clearTimeout(idle);
        res?.destroy();
      }, { once: true });
      const connectSignal = AbortSignal.any([AbortSignal.timeout(req.connectTimeoutMs), controller.signal]);
      try {
        const conn = await connect();
        res = await send(urlOf(server, req.path, { ...req.query, watch: true }), 'GET', conn, {}, undefined, connectSignal);
      } catch (err) {
        finish(err);
        return controller;
      }
      if (finished) {
        res.destroy();
        return controller;
      }
      if (res.statusCode !== 200) {
        const status = res.statusCode ?? 0;
        const text = await readBody(res, connectSignal).catch(() => '');
        finish(new KubeApiError(status, text, `watch ${req.path}`));
        return controller;
      }
      const resetIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(timeoutError()), req.idleTimeoutMs);
        idle.unref();
      };
      resetIdle();
      let buf = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (finished) return;
        resetIdle();
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0 && !finished; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() === '') continue;
          let event: { type?: unknown; object?: unknown };
          try {
            event = JSON.parse(line) as { type?: unknown; object?: unknown };
          } catch {
            continue; // a line that is no JSON carries nothing we could use
          }
          if (typeof event.type === 'string') onEvent(event.type, event.object);
        }
      });
      res.on('end', () => {
        ended = true;
        finish(undefined);
      });
      res.on('error', (err) => finish(err));
      res.on('close', () => {
        if (!ended) finish(new Error('the API server closed the watch connection mid-stream'));
      });
      return controller;
    },
  };
}
