import type { Manifest, PoolAgent } from '../plan/observed.ts';
import { isSpecError, parseManifest } from '../manifests/parseManifest.ts';
import { isPodManifestPath } from '../manifests/layout.ts';
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { readSpecCandidates, settleSpecs, type RepoFile, type SpecCandidates } from '../agentspec/loadSpecs.ts';
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
 * Specs, templates and agent manifests of one commit, parsed once into validated types.
 * Conflicting specs are settled by the manifests alone; settleWithAgents adds the placeholders.
 */
export async function readGitSnapshot(readDir: ReadDir, paths: RepoPaths, defaults: SpecDefaults): Promise<GitSnapshot> {
  const [specFiles, templateFiles, agentFiles] = await Promise.all([
    readDir(paths.specs),
    readDir(paths.templates),
    readDir(paths.agents),
  ]);
  const templates = new Map(templateFiles.filter((f) => isYaml(f.path)).map((f) => [f.path, f.content]));
  const manifests: Manifest[] = [];
  const manifestErrors: SpecError[] = [];
  for (const f of agentFiles) {
    if (!isPodManifestPath(paths.agents, f.path)) continue;
    const m = parseManifestOnce(f);
    if (isSpecError(m)) manifestErrors.push(m);
    else manifests.push(m);
  }
  const candidates = readSpecCandidates(specFiles.filter((f) => isYaml(f.path)), templates, defaults);
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
