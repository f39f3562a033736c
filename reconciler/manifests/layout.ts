// The agents directory layout: pods/<spec>/<pod>.yaml, kustomization.yaml, sentinel.yaml.
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './labels.ts';
import { stableYaml } from './stableYaml.ts';

export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const SENTINEL_FILE = 'sentinel.yaml';
export const SENTINEL_NAME = 'azdo-gitops-sentinel';
export const PODS_DIR = 'pods';

/** `agents/` → `agents`; '' or '.' → '' (repo root). */
export function normalizeDir(p: string): string {
  const s = p.trim().replace(/^\.\/+/, '').replace(/\/+$/, '');
  return s === '.' ? '' : s;
}

export function joinPath(dir: string, rel: string): string {
  const d = normalizeDir(dir);
  return d === '' ? rel : `${d}/${rel}`;
}

/** Repo-relative path of a pod manifest: `<agentsPath>/pods/<spec>/<pod>.yaml`. */
export function manifestPath(agentsPath: string, specName: string, podName: string): string {
  return joinPath(agentsPath, `${PODS_DIR}/${specName}/${podName}.yaml`);
}

/** Path relative to the agents dir, or undefined when `path` is not inside it. */
export function relativeToAgents(agentsPath: string, path: string): string | undefined {
  const d = normalizeDir(agentsPath);
  if (d === '') return path;
  return path.startsWith(d + '/') ? path.slice(d.length + 1) : undefined;
}

/** True for `<agentsPath>/pods/<spec>/<pod>.yaml`. */
export function isPodManifestPath(agentsPath: string, path: string): boolean {
  const rel = relativeToAgents(agentsPath, path);
  return rel !== undefined && /^pods\/[^/]+\/[^/]+\.yaml$/.test(rel);
}

/** kustomization.yaml listing sentinel.yaml and every given resource (relative to agentsPath), sorted. */
export function renderKustomization(resourcePaths: readonly string[]): string {
  const resources = [...new Set([SENTINEL_FILE, ...resourcePaths])].sort();
  // Every pass renders it to compare with the branch; the list rarely changes between passes.
  const key = resources.join('\n');
  if (lastKustomization?.key !== key) lastKustomization = { key, text: stableYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }) };
  return lastKustomization.text;
}

let lastKustomization: { readonly key: string; readonly text: string } | undefined;

/** The ConfigMap that keeps the synced directory from ever being empty. */
export function renderSentinel(namespace: string): string {
  return stableYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: SENTINEL_NAME, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    data: { purpose: 'Keeps this GitOps-synced directory non-empty. Managed by azdo-gitops; do not delete.' },
  });
}
