// `azdo-gitops validate`: everything wrong with a cluster repo, as SpecErrors.
// Specs and templates parse; every pod manifest under <agentsPath>/pods parses; kustomization.yaml
// lists exactly the pod files plus sentinel.yaml; the sentinel exists.
import type { Manifest } from '../plan/observed.ts';
import { parseManifest, isSpecError } from './parseManifest.ts';
import { KUSTOMIZATION_FILE, SENTINEL_FILE, isPodManifestPath, joinPath, normalizeDir, relativeToAgents } from './layout.ts';
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { readYaml } from '../support/boundedYaml.ts';
import { isObject } from '../support/guards.ts';
import type { RepoFile } from '../agentspec/loadSpecs.ts';
import { parseAgentSpecs } from '../agentspec/loadSpecs.ts';
import type { SpecDefaults } from '../agentspec/specDefaults.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../agentspec/specDefaults.ts';
import type { SpecError } from '../agentspec/specError.ts';

export interface RepoLayout {
  readonly specsPath: string;
  readonly agentsPath: string;
  readonly templatesPath: string;
}

export const DEFAULT_LAYOUT: RepoLayout = { specsPath: 'agentspecs', agentsPath: 'agents', templatesPath: 'templates' };

const under = (dir: string, p: string): boolean => {
  const d = normalizeDir(dir);
  return d === '' || p.startsWith(d + '/');
};
const isYaml = (p: string): boolean => /\.ya?ml$/.test(p);

export function validateClusterRepo(
  files: readonly RepoFile[],
  layout: RepoLayout = DEFAULT_LAYOUT,
  defaults: SpecDefaults = DEFAULT_SPEC_DEFAULTS,
): SpecError[] {
  return checkClusterRepo(files, layout, defaults).errors;
}

export interface RepoCheck {
  /** The specs a reconciler would use. */
  readonly specs: AgentSpec[];
  readonly errors: SpecError[];
  /** Risky pod settings of accepted specs (spec/podSafety.ts). */
  readonly warnings: SpecError[];
}

/** Everything wrong (and risky) with a cluster repo, judged as a reconciler pass would judge it. */
export function checkClusterRepo(
  files: readonly RepoFile[],
  layout: RepoLayout = DEFAULT_LAYOUT,
  defaults: SpecDefaults = DEFAULT_SPEC_DEFAULTS,
): RepoCheck {
  const templates = new Map(files.filter((f) => under(layout.templatesPath, f.path) && isYaml(f.path)).map((f) => [f.path, f.content]));
  const specFiles = files.filter((f) => under(layout.specsPath, f.path) && isYaml(f.path));
  const agentFiles = files.filter((f) => under(layout.agentsPath, f.path));
  const podFiles = agentFiles.filter((f) => isPodManifestPath(layout.agentsPath, f.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifests: Manifest[] = [];
  const manifestErrors: SpecError[] = [];
  for (const f of podFiles) {
    const m = parseManifest(f.path, f.content);
    if (isSpecError(m)) manifestErrors.push(m);
    else manifests.push(m);
  }
  const parsed = parseAgentSpecs(specFiles, templates, defaults, { manifests });
  return { specs: parsed.specs, errors: [...parsed.errors, ...manifestErrors, ...layoutErrors(agentFiles, podFiles, layout)], warnings: parsed.warnings };
}

/** kustomization.yaml and sentinel.yaml of the agents directory, and files where pods do not belong. */
function layoutErrors(agentFiles: readonly RepoFile[], podFiles: readonly RepoFile[], layout: RepoLayout): SpecError[] {
  const errors: SpecError[] = [];
  for (const f of agentFiles) {
    const rel = relativeToAgents(layout.agentsPath, f.path)!;
    if (rel.startsWith('pods/') && !isPodManifestPath(layout.agentsPath, f.path)) {
      errors.push({ file: f.path, field: '', message: 'is not where pod manifests live', hint: `pod files are ${joinPath(layout.agentsPath, 'pods/<spec>/<pod>.yaml')}` });
    }
  }
  if (agentFiles.length === 0) return errors; // nothing written yet: the reconciler creates the directory

  const kustPath = joinPath(layout.agentsPath, KUSTOMIZATION_FILE);
  const sentinelPath = joinPath(layout.agentsPath, SENTINEL_FILE);
  if (!agentFiles.some((f) => f.path === sentinelPath)) {
    errors.push({ file: sentinelPath, field: '', message: 'is missing: the synced directory must never be empty', hint: 'run the reconciler once, or restore sentinel.yaml' });
  }
  const kust = agentFiles.find((f) => f.path === kustPath);
  if (!kust) {
    errors.push({ file: kustPath, field: '', message: 'is missing', hint: 'it must list sentinel.yaml and every pod file; the reconciler regenerates it' });
    return errors;
  }
  const read = readYaml(kust.content);
  const doc: unknown = read.docs?.length === 1 ? read.docs[0]!.value : undefined;
  const resources = isObject(doc) ? doc['resources'] : undefined;
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) {
    errors.push({ file: kustPath, field: 'resources', message: 'must be a list of file paths', hint: 'resources: [sentinel.yaml, pods/<spec>/<pod>.yaml, ...]' });
    return errors;
  }
  const listed = new Set(resources as string[]);
  const expected = new Set([SENTINEL_FILE, ...podFiles.map((f) => relativeToAgents(layout.agentsPath, f.path)!)]);
  for (const e of [...expected].sort()) {
    if (!listed.has(e)) errors.push({ file: kustPath, field: 'resources', message: `does not list ${e}`, hint: 'list sentinel.yaml and every pod file (the reconciler regenerates it)' });
  }
  for (const l of [...listed].sort()) {
    if (!expected.has(l)) errors.push({ file: kustPath, field: 'resources', message: `lists ${l}, which is not a pod file in the repo`, hint: `remove ${l} from resources` });
  }
  return errors;
}
