import type { Manifest } from '../plan/observed.ts';
import { isSpecError, parseManifest } from '../render/parseManifest.ts';
import { isPodManifestPath } from '../render/layout.ts';
import type { AgentSpec } from '../spec/agentSpec.ts';
import { parseAgentSpecs, type RepoFile } from '../spec/loadSpecs.ts';
import type { SpecDefaults } from '../spec/specDefaults.ts';
import type { SpecError } from '../spec/specError.ts';

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
  /** Accepted specs' risky pod settings (spec/podSafety.ts). */
  readonly specWarnings: SpecError[];
  readonly manifests: Manifest[];
  /** Every file under the agents directory (pods, kustomization, sentinel, strays). */
  readonly agentFiles: RepoFile[];
}

const isYaml = (p: string): boolean => /\.ya?ml$/i.test(p);

/** Specs, templates and agent manifests of one commit, parsed once into validated types. */
export async function readGitSnapshot(readDir: ReadDir, paths: RepoPaths, defaults: SpecDefaults): Promise<GitSnapshot> {
  const [specFiles, templateFiles, agentFiles] = await Promise.all([
    readDir(paths.specs),
    readDir(paths.templates),
    readDir(paths.agents),
  ]);
  const templates = new Map(templateFiles.filter((f) => isYaml(f.path)).map((f) => [f.path, f.content]));
  // Manifests first: when two specs claim one name or prefix, the one owning them keeps working.
  const manifests: Manifest[] = [];
  const manifestErrors: SpecError[] = [];
  for (const f of agentFiles) {
    if (!isPodManifestPath(paths.agents, f.path)) continue;
    const m = parseManifest(f.path, f.content);
    if (isSpecError(m)) manifestErrors.push(m);
    else manifests.push(m);
  }
  const parsed = parseAgentSpecs(specFiles.filter((f) => isYaml(f.path)), templates, defaults, manifests);
  return { specs: parsed.specs, specErrors: [...parsed.errors, ...manifestErrors], specWarnings: parsed.warnings, manifests, agentFiles };
}
