// Field selectors: the apiserver only supports a few fields per resource, and rejects others
// with 400, so a consumer relying on an unsupported field fails loudly here too.
import { badRequest } from './status.ts';
import type { ResourceDef } from './resources.ts';

export type FieldMatcher = (obj: Record<string, any>) => boolean;

/** Field paths each kind can be selected on (a subset of what the real server allows). */
const FIELDS: Record<string, Record<string, (o: any) => string | undefined>> = {
  '*': {
    'metadata.name': (o) => o.metadata?.name,
    'metadata.namespace': (o) => o.metadata?.namespace,
  },
  Pod: {
    'status.phase': (o) => o.status?.phase,
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
  },
  Secret: { type: (o) => o.type },
  Event: {
    'involvedObject.name': (o) => o.involvedObject?.name,
    'involvedObject.kind': (o) => o.involvedObject?.kind,
    'involvedObject.namespace': (o) => o.involvedObject?.namespace,
    // kubectl describe selects an object's Events by these too.
    'involvedObject.uid': (o) => o.involvedObject?.uid,
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion,
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion,
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath,
    reason: (o) => o.reason,
    type: (o) => o.type,
  },
  Namespace: { 'status.phase': (o) => o.status?.phase },
};

export function parseFieldSelector(selector: string | null | undefined, def: ResourceDef): FieldMatcher {
  const text = (selector ?? '').trim();
  if (text === '') return () => true;
  const tests = text.split(',').map((raw) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(raw.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    const field = m[1]!;
    const get = FIELDS['*']![field] ?? FIELDS[def.kind]?.[field];
    if (!get) throw badRequest(`"${field}" is not a known field selector: only "${Object.keys({ ...FIELDS['*'], ...FIELDS[def.kind] }).join('", "')}"`);
    const want = m[3]!;
    const negate = m[2] === '!=';
    return (o: Record<string, any>) => ((get(o) ?? '') === want) !== negate;
  });
  return (o) => tests.every((t) => t(o));
}
