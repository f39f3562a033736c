// Legacy (unaggregated) discovery documents. kubectl 1.32 asks for aggregated discovery
// first but falls back to these when the response is a plain APIGroupList/APIVersions.
import { apiVersionOf, groups, RESOURCES, RESOURCE_VERBS, type ResourceDef } from './resources.ts';

export function versionInfo(): Record<string, string> {
  return {
    major: '1', minor: '32', gitVersion: 'v1.32.0-azdo-sandbox', gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function apiVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

export function apiGroupList(): Record<string, unknown> {
  const list = [...groups().entries()].filter(([g]) => g !== '').map(([name, versions]) => apiGroup(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: list };
}

export function apiGroupDoc(group: string): Record<string, unknown> | undefined {
  const versions = groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const gv = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: gv, preferredVersion: gv[0] };
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of defs) {
    resources.push(resourceEntry(d));
    for (const sub of d.subresources) {
      resources.push({ name: `${d.plural}/${sub}`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(defs[0]!), resources };
}

function resourceEntry(d: ResourceDef): Record<string, unknown> {
  const e: Record<string, unknown> = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: RESOURCE_VERBS };
  if (d.shortNames) e.shortNames = d.shortNames;
  if (d.categories) e.categories = d.categories;
  return e;
}
