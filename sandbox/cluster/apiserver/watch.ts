// Watch streams: newline-delimited JSON events over a chunked 200 response, replayed from the
// store's history when the client resumes from a resourceVersion. An expired resourceVersion
// is reported the way the real server does it — an ERROR event carrying a 410 Status, then EOF —
// because that is what client-go and client-node informers react to by relisting.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldMatcher } from './fieldSelector.ts';
import type { LabelMatcher } from './labelSelector.ts';
import { apiVersionOf, resourceKey, type ResourceDef } from './resources.ts';
import { badRequest, StatusError } from './status.ts';
import type { KubeObject, Store, StoreEvent } from './store.ts';
import { toTable } from './table.ts';

export interface WatchRequest {
  /** Who asked (see ServerDeps.tokens): a fault can silence one client's watches. */
  client: string;
  def: ResourceDef;
  /** undefined = all namespaces (or a cluster-scoped resource). */
  namespace: string | undefined;
  labels: LabelMatcher;
  fields: FieldMatcher;
  resourceVersion: string | null;
  bookmarks: boolean;
  timeoutSeconds: number | undefined;
  /** Set when the client asked for Table rows: the includeObject policy. */
  table: { includeObject: string | null } | undefined;
}

export class WatchHub {
  private readonly store: Store;
  private readonly bookmarkIntervalMs: number;
  /** Each open watch: its close function → who opened it and how to silence it. */
  private readonly open = new Map<() => void, { client: string; silence: () => void }>();

  constructor(store: Store, bookmarkIntervalMs: number) {
    this.store = store;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
  }

  get openCount(): number { return this.open.size; }

  serve(req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
    const rvText = w.resourceVersion ?? '';
    const from = rvText === '' || rvText === '0' ? undefined : Number(rvText);
    if (from !== undefined && (!Number.isInteger(from) || from < 0)) throw badRequest(`invalid resource version: ${rvText}`);

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: string, object: KubeObject): void => {
      if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
    };
    let columnsSent = false;
    const render = (o: KubeObject): KubeObject => {
      if (!w.table) return o;
      const t = toTable(w.def, [o], o.metadata?.resourceVersion ?? '', w.table.includeObject, !columnsSent);
      columnsSent = true;
      return t;
    };
    const matches = (o: KubeObject | undefined): boolean =>
      !!o && (w.namespace === undefined || (o.metadata?.namespace ?? '') === w.namespace) && w.labels(o.metadata?.labels) && w.fields(o);
    const deliver = (e: StoreEvent): void => {
      if (e.resource !== resourceKey(w.def)) return;
      const now = matches(e.object);
      if (e.type !== 'MODIFIED') { if (now) send(e.type, render(e.object)); return; }
      // An object moving into or out of the selection looks like ADDED/DELETED to this watcher.
      const before = matches(e.previous);
      if (now) send(before ? 'MODIFIED' : 'ADDED', render(e.object));
      else if (before) send('DELETED', render(e.object));
    };

    let backlog: StoreEvent[];
    try {
      backlog = from === undefined ? [] : this.store.eventsSince(resourceKey(w.def), from);
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      send('ERROR', err.toStatus());
      res.end();
      return;
    }
    if (from === undefined) {
      // No resourceVersion: the current state first, as synthetic ADDED events.
      for (const o of this.store.list(resourceKey(w.def), w.def.namespaced ? w.namespace : undefined)) if (matches(o)) send('ADDED', render(o));
    } else {
      for (const e of backlog) deliver(e);
    }
    const unsubscribe = this.store.subscribe(deliver);

    const timers: NodeJS.Timeout[] = [];
    let silent = false;
    const silence = (): void => {
      if (silent) return;
      silent = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
    };
    if (w.bookmarks) {
      timers.push(setInterval(() => send('BOOKMARK', {
        kind: w.def.kind, apiVersion: apiVersionOf(w.def), metadata: { resourceVersion: String(this.store.resourceVersion) },
      }), this.bookmarkIntervalMs));
    }
    if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timers.push(setTimeout(() => close(), w.timeoutSeconds * 1000));
    const close = (): void => {
      if (!this.open.delete(close)) return;
      silence();
      if (!res.writableEnded) res.end();
    };
    this.open.set(close, { client: w.client, silence });
    req.on('close', close);
    res.on('close', close);
  }

  /** Ends every open watch stream (clients see EOF and re-watch). */
  closeAll(): void {
    for (const close of [...this.open.keys()]) close();
  }

  /**
   * `client`'s open watches (every client's when omitted) stop sending anything, bookmarks and
   * their own timeout included, yet stay open: a stream cut off by a partition.
   */
  silence(client?: string): void {
    for (const w of this.open.values()) if (client === undefined || w.client === client) w.silence();
  }
}
