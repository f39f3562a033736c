// The HTTP pipeline: admin API, or REST = faults → auth → throttle → route → JSON reply
// (a `truncated-json` fault cuts that reply short).
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { setTimeout } from 'node:timers/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.ts';
import type { AdminDeps } from './admin.ts';
import { isValidToken, tokenOf } from './auth.ts';
import type { Emulator } from './context.ts';
import { routeNotFound, throttled, unauthorized } from './errors.ts';
import { unreadableBody, type Faults } from './faults.ts';
import { asServiceError, joinPieces, sendError, sendJson, sendJsonPieces, sendText } from './http.ts';
import type { Router } from './router.ts';
import type { Stats } from './stats.ts';
import { RATE_LIMIT_RESOURCE } from './throttle.ts';
import type { Throttle } from './throttle.ts';

export interface ServerDeps {
  emu: Emulator;
  router: Router;
  org: string;
  tokens: readonly string[];
  faults: Faults;
  throttle: Throttle;
  stats: Stats;
  /** Serve HTTPS with this key and certificate (as the service does) instead of plain HTTP. */
  tls?: { readonly keyPem: string; readonly certPem: string } | undefined;
}

async function handleRest(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const orgOk = segments[0]?.toLowerCase() === deps.org.toLowerCase() && segments[1]?.toLowerCase() === '_apis';
  const apiPath = orgOk ? segments.slice(2).join('/') : '';
  const match = orgOk ? deps.router.match(method, apiPath) : undefined;
  const routeKey = match ? `${method} ${match.route.pattern}` : 'unmatched';
  deps.stats.count(routeKey, url.searchParams);
  res.once('finish', () => deps.stats.addBytes(routeKey, Number(res.getHeader('content-length') ?? 0)));

  const fault = deps.faults.next(routeKey);
  if (fault) {
    if (fault.latencyMs > 0) await setTimeout(fault.latencyMs, undefined, { ref: false });
    if (fault.error) {
      deps.stats.faulted += 1;
      if (fault.error.status === 429) deps.stats.throttled += 1;
      return sendError(res, fault.error, fault.headers);
    }
    // A page or stub in front of the service answers before it (and before its auth).
    if (fault.reply === 'html' || fault.reply === 'empty-object') {
      deps.stats.faulted += 1;
      const { contentType, text } = unreadableBody(fault.reply, '');
      return sendText(res, 200, contentType, text);
    }
  }

  const token = tokenOf(req.headers.authorization);
  if (!isValidToken(token, deps.tokens)) {
    deps.stats.unauthorized += 1;
    return sendError(res, unauthorized(), {
      'WWW-Authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://dev.azure.com/"',
    });
  }

  const decision = deps.throttle.check(token as string);
  if (decision.blocked) {
    deps.stats.throttled += 1;
    return sendError(res, throttled(RATE_LIMIT_RESOURCE), decision.headers);
  }

  if (!match) {
    deps.stats.notFound += 1;
    return sendError(res, routeNotFound(method, url.pathname), decision.headers);
  }
  const result = await match.route.handler({ emu: deps.emu, req, res, params: match.params, query: url.searchParams });
  if (result.status === 404) deps.stats.notFound += 1;
  const headers = { ...decision.headers, ...result.headers };
  if (fault?.reply === 'truncated-json' && result.status < 300 && (result.body !== undefined || result.json !== undefined)) {
    // The service did the work; its reply arrives cut short.
    deps.stats.faulted += 1;
    const { contentType, text } = unreadableBody(fault.reply, result.json ? joinPieces(result.json) : JSON.stringify(result.body));
    return sendText(res, result.status, contentType, text, headers);
  }
  if (result.json) return sendJsonPieces(res, result.status, result.json, headers);
  sendJson(res, result.status, result.body, headers);
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const adminDeps: AdminDeps = { emu: deps.emu, faults: deps.faults, throttle: deps.throttle, stats: deps.stats };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      url = new URL('http://127.0.0.1/');
    }
    const isAdmin = url.pathname === '/_admin' || url.pathname.startsWith('/_admin/');
    const work = isAdmin
      ? handleAdmin(adminDeps, req, url.pathname).then((r) => sendJson(res, r.status, r.body))
      : handleRest(deps, req, res, url);
    work.catch((err: unknown) => {
      const serviceError = asServiceError(err);
      if (serviceError.status === 404) deps.stats.notFound += 1;
      sendError(res, serviceError);
    });
  };
  const server: Server = deps.tls ? createTlsServer({ key: deps.tls.keyPem, cert: deps.tls.certPem }, handler) : createServer(handler);
  // Accepted TCP connections (a TLS server's `connection` is the socket before its handshake).
  server.on('connection', () => {
    deps.stats.connections += 1;
  });
  return server;
}
