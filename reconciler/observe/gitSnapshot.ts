import type { Manifest, PoolAgent } from '../plan/observed.ts';
import { isSpecError, parseManifest } from '../manifests/parseManifest.ts';
import { isPodManifestPath } from '../manifests/layout.ts';
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { readSpecCandidates, settleSpecs, type RepoFile, type SpecCandidates } from '../agentspec/loadSpecs.ts';
import type { SpecCandidate } from '../agentspec/specConflicts.ts';
import type { SpecDefaults } from '../agentspec/specDefaults.ts';
import type { SpecError } from '../agentspec/specError.ts';

/** Reads every file below a directory of one commit. */
export type ReadDir = (dir: string) => Promise<RepoFile[]>;

export interface RepoPaths {
  readonly agents: string;
  readonly specs: string;
  readonly templates: string;
}

export interface GitSnapshot {
  readonly specs: AgentSpec[];
  readonly specErrors: SpecError[];
  /** Accepted specs' risky pod settings (agentspec/podSafety.ts). */
  readonly specWarnings: SpecError[];
  readonly manifests: Manifest[];
  /** Every file under the agents directory (pods, kustomization, sentinel, strays). */
  readonly agentFiles: RepoFile[];
  /** The specs before conflicts were settled, for settling again with the pools' placeholders. */
  readonly candidates: SpecCandidates;
  readonly manifestErrors: SpecError[];
}

const isYaml = (p: string): boolean => /\.ya?ml$/i.test(p);

/**
 * Parsed manifests by file object. GitRepo.readFiles returns the same RepoFile object for a file
 * whose blob (and path) did not change, so each manifest is parsed once, not once per pass;
 * entries go with the file objects once no read returns them.
 */
const parsedManifests = new WeakMap<RepoFile, ReturnType<typeof parseManifest>>();

function parseManifestOnce(f: RepoFile): ReturnType<typeof parseManifest> {
  let m = parsedManifests.get(f);
  if (m === undefined) {
    m = parseManifest(f.path, f.content);
    parsedManifests.set(f, m);
  }
  return m;
}

/**
 * Spec candidates by spec file object, likewise: a spec file is checked again only when it, a
 * template file (a spec may name any) or the defaults changed since it was last checked.
 */
const checkedSpecs = new WeakMap<RepoFile, { readonly templateFiles: readonly RepoFile[]; readonly defaults: SpecDefaults; readonly read: SpecCandidates }>();

function readSpecCandidatesOnce(files: readonly RepoFile[], templateFiles: readonly RepoFile[], templates: ReadonlyMap<string, string>, defaults: SpecDefaults): SpecCandidates {
  const candidates: SpecCandidate[] = [];
  const errors: SpecError[] = [];
  // In path order, as readSpecCandidates reads them: the order settles nothing, but errors list in it.
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    let c = checkedSpecs.get(f);
    if (c === undefined || c.defaults !== defaults || !sameObjects(c.templateFiles, templateFiles)) {
      c = { templateFiles, defaults, read: readSpecCandidates([f], templates, defaults) };
      checkedSpecs.set(f, c);
    }
    candidates.push(...c.read.candidates);
    errors.push(...c.read.errors);
  }
  return { candidates, errors };
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Specs, templates and agent manifests of one commit, parsed once into validated types.
 * Conflicting specs are settled by the manifests alone; settleWithAgents adds the placeholders.
 */
export async function readGitSnapshot(readDir: ReadDir, paths: RepoPaths, defaults: SpecDefaults): Promise<GitSnapshot> {
  const [specFiles, templateFiles, agentFiles] = await Promise.all([
    readDir(paths.specs),
    readDir(paths.templates),
    readDir(paths.agents),
  ]);
  const yamlTemplates = templateFiles.filter((f) => isYaml(f.path));
  const templates = new Map(yamlTemplates.map((f) => [f.path, f.content]));
  const manifests: Manifest[] = [];
  const manifestErrors: SpecError[] = [];
  for (const f of agentFiles) {
    if (!isPodManifestPath(paths.agents, f.path)) continue;
    const m = parseManifestOnce(f);
    if (isSpecError(m)) manifestErrors.push(m);
    else manifests.push(m);
  }
  const candidates = readSpecCandidatesOnce(specFiles.filter((f) => isYaml(f.path)), yamlTemplates, templates, defaults);
  return settled({ manifests, agentFiles, candidates, manifestErrors }, []);
}

/** Pools every spec names, including specs that lose a conflict (their placeholders settle it). */
export function candidatePools(git: GitSnapshot): string[] {
  return [...new Set(git.candidates.candidates.map((c) => c.spec.pool))];
}

/**
 * The snapshot with conflicts settled again, now also by the pools' placeholder agents: a spec
 * scaled to zero keeps its name and prefix against a newcomer. Unchanged when nothing conflicts.
 */
export function settleWithAgents(git: GitSnapshot, agents: readonly PoolAgent[]): GitSnapshot {
  if (git.candidates.candidates.length === git.specs.length) return git;
  return settled(git, agents);
}

function settled(git: Pick<GitSnapshot, 'manifests' | 'agentFiles' | 'candidates' | 'manifestErrors'>, agents: readonly PoolAgent[]): GitSnapshot {
  const parsed = settleSpecs(git.candidates, { manifests: git.manifests, agents });
  return {
    specs: parsed.specs,
    specErrors: [...parsed.errors, ...git.manifestErrors],
    specWarnings: parsed.warnings,
    manifests: git.manifests,
    agentFiles: git.agentFiles,
    candidates: git.candidates,
    manifestErrors: git.manifestErrors,
  };
}
