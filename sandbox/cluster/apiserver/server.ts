// HTTP front of the simulated apiserver: authentication, routing of Kubernetes REST paths to
// discovery, the registry and watches, and turning every failure into a Status response.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Blackhole } from './blackhole.ts';
import type { SelfSignedCert } from './selfSignedCert.ts';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { parseFieldSelector } from './fieldSelector.ts';
import { parseLabelSelector } from './labelSelector.ts';
import { openApiV3Document, openApiV3Root } from './openapi.ts';
import { decodeProtobufObject, PROTOBUF } from './protobuf.ts';
import type { Registry } from './registry.ts';
import { apiVersionOf, findResource, type ResourceDef } from './resources.ts';
import { badRequest, methodNotAllowed, pathNotFound, StatusError, successStatus, unauthorized } from './status.ts';
import type { KubeObject, Store } from './store.ts';
import { crdPrinterColumns, toTable, wantsTable } from './table.ts';
import type { WatchHub } from './watch.ts';

const MAX_BODY = 3 * 1024 * 1024;

export interface ServerDeps {
  /** Bearer token → the client identity it stands for (faults can single one out). */
  tokens: ReadonlyMap<string, string>;
  store: Store;
  registry: Registry;
  watches: WatchHub;
  blackhole: Blackhole;
}

interface Target { def: ResourceDef; namespace: string | undefined; name: string | undefined; subresource: string | undefined }

export interface ApiServerListener {
  server: Server;
  /** Starts the internal TLS listener; call before accepting connections. */
  ready(): Promise<void>;
  /** Ends every open connection, plain and TLS, and the internal TLS listener. */
  closeAllConnections(): void;
}

/**
 * One port, two protocols: a TLS ClientHello (first byte 0x16) is relayed to an internal https
 * listener, anything else goes to the plain http server. kubectl needs TLS to send its token;
 * other callers keep `http://`. (Relaying, because a TLS server reads the socket's handle
 * directly and would miss bytes already read for sniffing.)
 */
export function createApiServer(deps: ServerDeps, cert: SelfSignedCert): ApiServerListener {
  const listener: RequestListener = (req, res) => {
    handle(deps, req, res).catch((err: unknown) => fail(res, err));
  };
  const http = createServer(listener);
  const https = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, listener);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  https.on('connection', track);
  const server = createNetServer((socket) => {
    track(socket);
    socket.once('data', (first) => {
      if (first[0] !== 0x16) {
        socket.pause();
        socket.unshift(first);
        http.emit('connection', socket);
        socket.resume();
        return;
      }
      const upstream = connect((https.address() as AddressInfo).port, '127.0.0.1');
      track(upstream);
      upstream.write(first);
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
  });
  return {
    server,
    ready: () => new Promise<void>((resolve) => { https.listen(0, '127.0.0.1', () => resolve()); }),
    closeAllConnections() {
      http.closeAllConnections();
      https.close();
      for (const s of sockets) s.destroy();
    },
  };
}

function fail(res: ServerResponse, err: unknown): void {
  const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (res.headersSent) { res.end(); return; }
  send(res, status.code, status.toStatus());
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** The client a request's bearer token belongs to; undefined when it carries no known token. */
function clientOf(req: IncomingMessage, tokens: ReadonlyMap<string, string>): string | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return undefined;
  const given = Buffer.from(header.slice(7).trim());
  for (const [token, client] of tokens) {
    const want = Buffer.from(token);
    if (given.length === want.length && timingSafeEqual(given, want)) return client;
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A create/update body: JSON, or protobuf for the kinds kubectl's typed commands send. */
function parseObjectBody(req: IncomingMessage, body: Buffer): unknown {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type === PROTOBUF) return decodeProtobufObject(body);
  if (type !== 'application/json' && type !== '*/*' && type !== '') {
    throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf');
  }
  return parseJson(body.toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`json parse error: ${(err as Error).message}`);
  }
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const client = clientOf(req, deps.tokens);
  if (deps.blackhole.affects(client)) {
    deps.blackhole.hold(req, res);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/version' && !req.headers.authorization) {
    // Anonymous like the real server's system:public-info-viewer (kubectl's dispatcher asks unauthenticated).
    send(res, 200, versionInfo());
    return;
  }
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (client === undefined) throw unauthorized();
  const method = req.method ?? 'GET';
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);

  if (method === 'GET') {
    const doc = discovery(segs);
    if (doc) { send(res, 200, doc); return; }
  }
  const target = resolve(segs);
  if (!target) throw pathNotFound();
  await serveResource(deps, req, res, url, target, method, client);
}

function discovery(segs: string[]): unknown {
  const p = segs.join('/');
  if (p === 'version') return versionInfo();
  if (p === 'api') return apiVersions();
  if (p === 'apis') return apiGroupList();
  if (segs[0] === 'api' && segs.length === 2) return apiResourceList('', segs[1]!);
  if (segs[0] === 'apis' && segs.length === 2) return apiGroupDoc(segs[1]!);
  if (segs[0] === 'apis' && segs.length === 3) return apiResourceList(segs[1]!, segs[2]!);
  if (p === 'openapi/v3') return openApiV3Root();
  if (segs[0] === 'openapi' && segs[1] === 'v3') return openApiV3Document(segs.slice(2));
  return undefined;
}

/** `/api/v1/...` or `/apis/<g>/<v>/...` → resource, namespace, name, subresource. */
function resolve(segs: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) { group = ''; version = segs[1]!; rest = segs.slice(2); }
  else if (segs[0] === 'apis' && segs.length >= 4) { group = segs[1]!; version = segs[2]!; rest = segs.slice(3); }
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = findResource(group, version, rest[2]!);
    if (def?.namespaced && rest.length <= 5) return target(def, rest[1], rest[3], rest[4]);
  }
  const def = findResource(group, version, rest[0]!);
  if (!def || rest.length > 3) return undefined;
  if (def.namespaced && rest.length > 1) return undefined;
  return target(def, undefined, rest[1], rest[2]);
}

function target(def: ResourceDef, namespace: string | undefined, name: string | undefined, subresource: string | undefined): Target | undefined {
  if (subresource !== undefined && !def.subresources.includes(subresource)) return undefined;
  return { def, namespace, name, subresource };
}

async function serveResource(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, t: Target, method: string, client: string): Promise<void> {
  // Custom resources print their CRD's additionalPrinterColumns, as the real API server does.
  const columnsOf = (def: ResourceDef) =>
    def.group === '' ? undefined : crdPrinterColumns(deps.store.get('apiextensions.k8s.io/customresourcedefinitions', '', `${def.plural}.${def.group}`), def.version);
  const { def, namespace, name, subresource } = t;
  const q = url.searchParams;
  const ns = namespace ?? '';
  const accept = req.headers.accept;
  const table = wantsTable(accept) && subresource === undefined;
  const raw = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE' ? await readBody(req) : Buffer.alloc(0);
  const body = raw.toString('utf8');

  if (name === undefined) {
    switch (method) {
      case 'GET': {
        const labels = parseLabelSelector(q.get('labelSelector'));
        const fields = parseFieldSelector(q.get('fieldSelector'), def);
        const watch = q.get('watch');
        if (watch === 'true' || watch === '1') {
          const timeout = q.get('timeoutSeconds');
          deps.watches.serve(req, res, {
            client, def, namespace, labels, fields, resourceVersion: q.get('resourceVersion'),
            bookmarks: q.get('allowWatchBookmarks') === 'true',
            timeoutSeconds: timeout === null ? undefined : Number(timeout) || undefined,
            table: table ? { includeObject: q.get('includeObject') } : undefined,
          });
          return;
        }
        // Lists always return the current state, whatever resourceVersion was asked for.
        const rv = String(deps.store.resourceVersion);
        const items = deps.registry.list(def, namespace).filter((o) => labels(o.metadata?.labels) && fields(o));
        if (table) { send(res, 200, toTable(def, items, rv, q.get('includeObject'), true, columnsOf(def))); return; }
        send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: rv }, items });
        return;
      }
      case 'POST':
        send(res, 201, deps.registry.create(def, ns, parseObjectBody(req, raw)));
        return;
      case 'DELETE': {
        const labels = parseLabelSelector(q.get('labelSelector'));
        const fields = parseFieldSelector(q.get('fieldSelector'), def);
        const items = deps.registry.list(def, namespace).filter((o) => labels(o.metadata?.labels) && fields(o))
          .map((o) => deps.registry.delete(def, o.metadata?.namespace ?? '', o.metadata.name, undefined));
        send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(deps.store.resourceVersion) }, items });
        return;
      }
      default:
        throw methodNotAllowed(method);
    }
  }

  switch (method) {
    case 'GET': {
      const obj = deps.registry.get(def, ns, name);
      send(res, 200, table ? toTable(def, [obj], obj.metadata.resourceVersion, q.get('includeObject'), true, columnsOf(def)) : obj);
      return;
    }
    case 'PUT':
      send(res, 200, deps.registry.update(def, ns, name, parseObjectBody(req, raw), subresource));
      return;
    case 'PATCH':
      send(res, 200, deps.registry.patch(def, ns, name, req.headers['content-type'] ?? '', parseJson(body), subresource));
      return;
    case 'DELETE': {
      if (subresource) throw methodNotAllowed(method);
      const options = body.trim() ? parseJson(body) as KubeObject : undefined;
      const deleted = deps.registry.delete(def, ns, name, options);
      // Pods come back as the object (the real server returns it for graceful deletes); others as Success.
      if (def.kind === 'Pod' || def.kind === 'Namespace') send(res, 200, deleted);
      else send(res, 200, successStatus({ name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: deleted.metadata.uid }));
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}
