// The files a plan writes and deletes under the agents directory (content null = delete).
// Pod files are write-once: added or deleted, never rewritten. kustomization.yaml is regenerated
// from the resulting set of pod files; the sentinel is written when missing.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { Plan } from '../plan/changes.ts';
import {
  KUSTOMIZATION_FILE, SENTINEL_FILE, isPodManifestPath, joinPath, manifestPath, relativeToAgents, renderKustomization, renderSentinel,
} from './layout.ts';
import { renderPod } from './renderPod.ts';
import { UnknownSpecError } from './unknownSpecError.ts';

export interface FileChange {
  readonly path: string;
  /** null: delete the file. */
  readonly content: string | null;
}

export interface FileChangeContext {
  /** Repo-relative agents directory, e.g. `agents`. */
  readonly agentsPath: string;
  readonly orgUrl: string;
  /** createdAt of the new pods. */
  readonly now: Date;
  readonly specs: readonly AgentSpec[];
  /** Every file currently under the agents directory: repo path → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Namespace of the sentinel ConfigMap when it has to be written. */
  readonly sentinelNamespace: string;
}

export function fileChanges(plan: Plan, ctx: FileChangeContext): FileChange[] {
  const changes = new Map<string, string | null>();
  const podFiles = new Set([...ctx.files.keys()].filter((p) => isPodManifestPath(ctx.agentsPath, p)));
  for (const r of plan.remove) {
    if (podFiles.delete(r.path)) changes.set(r.path, null);
  }
  const specByName = new Map(ctx.specs.map((s) => [s.name, s]));
  for (const a of plan.add) {
    const spec = specByName.get(a.specName);
    if (!spec) throw new UnknownSpecError(a.specName, a.podName);
    const path = manifestPath(ctx.agentsPath, a.specName, a.podName);
    if (podFiles.has(path)) continue; // write-once: never rewrite an existing pod file
    podFiles.add(path);
    changes.set(path, renderPod(spec, a.podName, { orgUrl: ctx.orgUrl, createdAt: ctx.now, jobRequestIds: a.jobRequestIds }));
  }
  const kustPath = joinPath(ctx.agentsPath, KUSTOMIZATION_FILE);
  const kust = renderKustomization([...podFiles].map((p) => relativeToAgents(ctx.agentsPath, p)!));
  if (ctx.files.get(kustPath) !== kust) changes.set(kustPath, kust);
  const sentinelPath = joinPath(ctx.agentsPath, SENTINEL_FILE);
  if (!ctx.files.has(sentinelPath)) changes.set(sentinelPath, renderSentinel(ctx.sentinelNamespace));
  return [...changes.entries()]
    .map(([path, content]) => ({ path, content }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
