// In-memory object store with one global resourceVersion counter (like etcd's revision) and
// a bounded event history, so watches can resume from a resourceVersion or learn with 410
// that they cannot.
import { expired } from './status.ts';

export type KubeObject = Record<string, any>;
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: string;          // resourceKey(def)
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED — lets selector-filtered watches turn it into ADDED/DELETED. */
  previous?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

export class Store {
  private revision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  /** Events with rv ≤ this are gone: a watch must start at or after it. */
  private compacted = 0;
  private readonly listeners = new Set<StoreListener>();
  private readonly historySize: number;

  constructor(historySize: number) {
    this.historySize = Math.max(1, historySize);
  }

  get resourceVersion(): number { return this.revision; }

  nextResourceVersion(): number { return ++this.revision; }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(resource)?.get(itemKey(namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Current objects, namespace then name order (what `kubectl get` shows); `namespace` undefined = all. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])]
      .filter(([, o]) => namespace === undefined || (o.metadata?.namespace ?? '') === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, o]) => structuredClone(o));
  }

  /** Stores `object` (whose metadata.resourceVersion the caller has already set to `rv`). */
  write(type: 'ADDED' | 'MODIFIED', resource: string, rv: number, object: KubeObject, previous?: KubeObject): void {
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    bucket.set(itemKey(object.metadata?.namespace ?? '', object.metadata.name), structuredClone(object));
    this.record({ type, resource, rv, object: structuredClone(object), ...(previous ? { previous } : {}) });
  }

  remove(resource: string, rv: number, object: KubeObject): void {
    this.objects.get(resource)?.delete(itemKey(object.metadata?.namespace ?? '', object.metadata.name));
    this.record({ type: 'DELETED', resource, rv, object: structuredClone(object) });
  }

  /** Events for `resource` after `rv`, or 410 Expired when some of them were dropped. */
  eventsSince(resource: string, rv: number): StoreEvent[] {
    if (rv < this.compacted) throw expired(String(rv), String(this.compacted + 1));
    return this.history.filter((e) => e.resource === resource && e.rv > rv);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets all history: every resourceVersion handed out so far becomes too old to watch from. */
  compactAll(): void {
    this.revision++;
    this.history.length = 0;
    this.compacted = this.revision;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.historySize) this.compacted = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(event);
  }
}

function itemKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
