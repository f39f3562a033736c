// A minimal OpenAPI v3 surface. kubectl apply/create (validate=strict by default) first asks
// /openapi/v3 whether the server supports `fieldValidation` for the object's kind; when the
// PATCH operation of that kind lists the parameter, kubectl leaves validation to the server
// and never needs schemas. Without it kubectl falls back to downloading /openapi/v2 (protobuf)
// and fails. Schemas are deliberately absent: apply then computes patches from its built-in types.
import { createHash } from 'node:crypto';
import { apiVersionOf, RESOURCES, type ResourceDef } from './resources.ts';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const groupVersions = (): Array<[string, string]> =>
  [...new Set(RESOURCES.map((r) => `${r.group}|${r.version}`))].map((s) => s.split('|') as [string, string]);

export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [group, version] of groupVersions()) {
    const hash = createHash('sha512').update(JSON.stringify(openApiV3GroupVersion(group, version))).digest('hex').slice(0, 32).toUpperCase();
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
  }
  return { paths };
}

/** `segs` after `openapi/v3`: `api/v1` or `apis/<group>/<version>`. */
export function openApiV3Document(segs: string[]): Record<string, unknown> | undefined {
  if (segs[0] === 'api' && segs.length === 2 && segs[1] === 'v1') return openApiV3GroupVersion('', 'v1');
  if (segs[0] === 'apis' && segs.length === 3 && groupVersions().some(([g, v]) => g === segs[1] && v === segs[2])) return openApiV3GroupVersion(segs[1]!, segs[2]!);
  return undefined;
}

function openApiV3GroupVersion(group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const def of RESOURCES.filter((r) => r.group === group && r.version === version)) {
    paths[itemPath(def)] = { patch: patchOperation(def) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

function itemPath(def: ResourceDef): string {
  const base = '/' + (def.group ? `apis/${apiVersionOf(def)}` : `api/${def.version}`);
  return def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}/{name}` : `${base}/${def.plural}/{name}`;
}

function patchOperation(def: ResourceDef): Record<string, unknown> {
  return {
    operationId: `patch${def.kind}`,
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string' } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
    ],
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
  };
}
