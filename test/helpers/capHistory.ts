// The cap invariant over a cluster repo's whole history: every commit the reconciler pushed
// (it carries the Azdo-Gitops-Pass trailer) is checked against the specs of that same commit.
// world.close() runs it at the end of every end-to-end scenario.
import { specDefaultsFrom } from '../../reconciler/config/config.ts';
import { readGitSnapshot } from '../../reconciler/observe/gitSnapshot.ts';
import type { RepoFile } from '../../reconciler/agentspec/loadSpecs.ts';
import { runGit } from '../../sandbox/git/index.ts';
import { capViolations, countBy } from './capInvariant.ts';

const PASS_TRAILER = /^Azdo-Gitops-Pass: /m;

export async function capViolationsInHistory(gitDir: string, cwd: string, env: Readonly<Record<string, string | undefined>>, branch = 'main'): Promise<string[]> {
  const git = async (args: readonly string[]) => (await runGit(['--git-dir', gitDir, ...args], cwd)).stdout;
  const blobs = new Map<string, string>();
  const readDir = (commit: string) => async (dir: string): Promise<RepoFile[]> => {
    const out: RepoFile[] = [];
    for (const line of (await git(['ls-tree', '-r', commit, '--', dir])).split('\n')) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
      if (!m) continue;
      const [, oid, path] = m as unknown as [string, string, string];
      if (!blobs.has(oid)) blobs.set(oid, await git(['cat-file', 'blob', oid]));
      out.push({ path, content: blobs.get(oid)! });
    }
    return out;
  };
  const paths = { agents: env.AGENTS_PATH ?? 'agents', specs: env.SPECS_PATH ?? 'agentspecs', templates: env.TEMPLATES_PATH ?? 'templates' };
  const defaults = specDefaultsFrom(env);
  const globalMaxAgents = Number(env.MAX_AGENTS ?? 50);
  const snapshot = (commit: string) => readGitSnapshot(readDir(commit), paths, defaults);

  const out: string[] = [];
  const log = await git(['log', '--format=%H %P%x1f%B%x1e', branch]);
  for (const entry of log.split('\x1e')) {
    const [head = '', message = ''] = entry.trim().split('\x1f');
    const [commit, parent] = head.split(' ');
    if (!commit || !parent || !PASS_TRAILER.test(message)) continue;
    const [before, after] = await Promise.all([snapshot(parent), snapshot(commit)]);
    const beforeNames = new Set(before.manifests.map((m) => m.podName));
    out.push(...capViolations({
      where: `commit ${commit.slice(0, 12)}`,
      before: countBy(before.manifests, (m) => m.specName),
      after: countBy(after.manifests, (m) => m.specName),
      added: countBy(after.manifests.filter((m) => !beforeNames.has(m.podName)), (m) => m.specName),
      maxAgents: new Map(after.specs.map((s) => [s.name, s.maxAgents])),
      globalMaxAgents,
    }));
  }
  return out;
}
