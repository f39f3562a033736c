// The cluster repo the bad-spec corpus is judged in: cluster-repo-example (linux, docker), one
// running pod manifest for each of them (so conflicts have an owner), and every corpus file.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { renderKustomization } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import type { RepoFile } from '../../reconciler/agentspec/loadSpecs.ts';
import { checkClusterRepo } from '../../reconciler/manifests/validateRepo.ts';
import { BAD_SPECS, NO_CONTEXT_SPEC, RISKY_SPEC } from '../fixtures/badSpecs.ts';

async function exampleFiles(): Promise<RepoFile[]> {
  const root = join(PROJECT_ROOT, 'cluster-repo-example');
  const out: RepoFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push({ path: relative(root, p), content: await readFile(p, 'utf8') });
    }
  };
  await walk(root);
  return out;
}

/** The example repo with a running agent per spec, as a reconciler would have committed it. */
export async function runningExampleRepo(): Promise<RepoFile[]> {
  const files = await exampleFiles();
  const { specs } = checkClusterRepo(files);
  const pods = specs.map((s) => ({
    path: `agents/pods/${s.name}/${s.prefix}-abc12.yaml`,
    content: renderPod(s, `${s.prefix}-abc12`, { orgUrl: 'https://dev.azure.com/example', createdAt: new Date('2026-01-01T00:00:00Z'), jobRequestIds: [] }),
  }));
  const kust = { path: 'agents/kustomization.yaml', content: renderKustomization(pods.map((p) => p.path.slice('agents/'.length))) };
  return [...files.filter((f) => f.path !== kust.path), kust, ...pods];
}

export async function corpusRepo(): Promise<RepoFile[]> {
  const corpus = [...BAD_SPECS, RISKY_SPEC, NO_CONTEXT_SPEC].map((b) => ({ path: b.path, content: b.content }));
  return [...(await runningExampleRepo()), ...corpus];
}

export async function writeRepo(dir: string, files: readonly RepoFile[]): Promise<void> {
  for (const f of files) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.content);
  }
}
