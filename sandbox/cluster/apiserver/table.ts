// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): kubectl asks
// the server for rows and prints them as given, so pod columns must match the real printer.
import type { ResourceDef } from './resources.ts';
import type { KubeObject } from './store.ts';

interface Column { name: string; type: string; format: string; description: string; priority: number }

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
const AGE: Column = { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 };
const POD_COLUMNS: Column[] = [
  NAME,
  { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
  { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
  { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', priority: 0 },
  AGE,
  { name: 'IP', type: 'string', format: '', description: 'IP address allocated to the pod.', priority: 1 },
  { name: 'Node', type: 'string', format: '', description: 'Name of the Node this pod is assigned to.', priority: 1 },
];

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** A CRD's `additionalPrinterColumns` entry (what the API server prints for a custom resource). */
export interface PrinterColumn { name: string; type: string; jsonPath: string; description?: string; priority?: number }

/**
 * The printer columns of a custom resource from its stored CRD (version `version`), undefined for
 * none. Names and ages come first and last as the real server prints them.
 */
export function crdPrinterColumns(crd: KubeObject | undefined, version: string): PrinterColumn[] | undefined {
  const v = (crd?.spec?.versions as KubeObject[] | undefined)?.find((x) => x.name === version);
  const cols = v?.additionalPrinterColumns;
  return Array.isArray(cols) && cols.length > 0 ? (cols as PrinterColumn[]) : undefined;
}

/**
 * The JSONPath subset printer columns use: `.a.b`, and one filter `[?(@.k=="v")]` on a list
 * (the first match). A missing value prints as an empty cell, as kubectl does.
 */
export function evaluateJsonPath(o: unknown, path: string): unknown {
  let cur: unknown = o;
  const re = /\.([A-Za-z0-9_-]+)|\[\?\(@\.([A-Za-z0-9_-]+)=="([^"]*)"\)\]/g;
  for (const m of path.matchAll(re)) {
    if (cur === undefined || cur === null) return undefined;
    if (m[1] !== undefined) cur = (cur as Record<string, unknown>)[m[1]];
    else cur = Array.isArray(cur) ? cur.find((x) => x && (x as Record<string, unknown>)[m[2]!] === m[3]) : undefined;
  }
  return cur;
}

function cell(o: KubeObject, c: PrinterColumn): unknown {
  const v = evaluateJsonPath(o, c.jsonPath);
  if (c.type === 'date') return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? humanDuration(Math.max(0, Date.now() - Date.parse(v))) : '<unknown>';
  return v === undefined || v === null ? null : v;
}

/** `includeObject`: None | Metadata (default) | Object — what each row carries. */
export function toTable(def: ResourceDef, objects: KubeObject[], resourceVersion: string, includeObject: string | null, withColumns = true, printerColumns?: PrinterColumn[]): KubeObject {
  const pods = def.kind === 'Pod';
  const table: KubeObject = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion } };
  const custom = !pods && printerColumns ? printerColumns : undefined;
  if (withColumns) {
    table.columnDefinitions = pods
      ? POD_COLUMNS
      : custom
        ? [NAME, ...custom.map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 }))]
        : [NAME, AGE];
  }
  table.rows = objects.map((o) => ({
    cells: pods ? podCells(o) : custom ? [o.metadata?.name, ...custom.map((c) => cell(o, c))] : [o.metadata?.name, age(o)],
    object: rowObject(o, includeObject),
  }));
  return table;
}

function rowObject(o: KubeObject, includeObject: string | null): KubeObject | null {
  if (includeObject === 'None') return null;
  if (includeObject === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

function podCells(pod: KubeObject): unknown[] {
  const containers: KubeObject[] = pod.spec?.containers ?? [];
  const statuses: KubeObject[] = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((s) => s.ready).length;
  let restarts = 0;
  let reason: string = pod.status?.reason || pod.status?.phase || 'Unknown';
  for (const s of statuses) {
    restarts += s.restartCount ?? 0;
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
    else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
  }
  if (reason === 'Running' && statuses.length && ready === 0) reason = pod.status?.phase ?? reason;
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return [pod.metadata?.name, `${ready}/${containers.length}`, reason, String(restarts), age(pod), pod.status?.podIP ?? '<none>', pod.spec?.nodeName ?? '<none>'];
}

function age(o: KubeObject): string {
  const created = Date.parse(o.metadata?.creationTimestamp ?? '');
  if (Number.isNaN(created)) return '<unknown>';
  return humanDuration(Math.max(0, Date.now() - created));
}

/** Same shape as apimachinery's duration.HumanDuration (`5s`, `3m20s`, `2d3h`). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}
