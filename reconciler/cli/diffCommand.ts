// `azdo-gitops diff <base> <head> [--live]`: what a pull request will do, as Markdown (or JSON);
// offline unless --live, which reads the pools' agents to split rotations into idle and busy.
// base is a checkout of the target branch (its agents/ is what the reconciler has committed),
// head the PR's checkout. Exit 1 when the PR's repo has validation errors, so a pipeline fails.
import { stat } from 'node:fs/promises';
import { azdoFrom, pathsFrom, specDefaultsFrom } from '../config/config.ts';
import { checkClusterRepo } from '../manifests/validateRepo.ts';
import { InputError } from '../errors/inputError.ts';
import type { Manifest } from '../plan/observed.ts';
import { prPreview } from '../preview/prPreview.ts';
import { previewMarkdown } from '../preview/previewMarkdown.ts';
import { isPodManifestPath, normalizeDir } from '../manifests/layout.ts';
import { isSpecError, parseManifest } from '../manifests/parseManifest.ts';
import { filesUnder } from './commands.ts';

type Env = Readonly<Record<string, string | undefined>>;

async function checkout(role: string, dir: string): Promise<{ path: string; content: string }[]> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => undefined);
  if (!isDir) throw new InputError(`diff: ${role} ${dir} is not a directory; give checkouts of the target branch and of the pull request`);
  return filesUnder(dir);
}

/** The agents of the base specs' pools, read (two calls per pool) with AZDO_ORG_URL and AZDO_TOKEN. */
async function livePoolAgents(env: Env, pools: readonly string[]) {
  const azdo = azdoFrom(env);
  // Loaded only for --live: offline, diff (like validate) keeps the Azure DevOps client out of memory.
  const [{ connectTaskAgentApi }, { PoolDirectory }, { observeAzdo }] = await Promise.all([
    import('../azdo/connection.ts'), import('../azdo/pools.ts'), import('../observe/azdoSnapshot.ts'),
  ]);
  const api = await connectTaskAgentApi(azdo.orgUrl, azdo.token);
  return (await observeAzdo({ api, pools: new PoolDirectory(api) }, pools)).agents;
}

export async function diffCommand(env: Env, baseDir: string, headDir: string, json: boolean, live = false, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const defaults = specDefaultsFrom(env);
  const paths = pathsFrom(env);
  const layout = { specsPath: paths.specs, agentsPath: paths.agents, templatesPath: paths.templates };
  const [baseFiles, headFiles] = await Promise.all([checkout('base', baseDir), checkout('head', headDir)]);
  const agents = normalizeDir(paths.agents);
  const inAgents = (p: string) => agents === '' || p.startsWith(agents + '/');
  const manifests: Manifest[] = baseFiles.filter((f) => isPodManifestPath(paths.agents, f.path)).flatMap((f) => {
    const m = parseManifest(f.path, f.content);
    return isSpecError(m) ? [] : [m];
  });
  const baseAgents = new Map(baseFiles.filter((f) => inAgents(f.path)).map((f) => [f.path, f.content]));
  const headAgents = new Map(headFiles.filter((f) => inAgents(f.path)).map((f) => [f.path, f.content]));
  const agentsFilesChanged = [...new Set([...baseAgents.keys(), ...headAgents.keys()])].filter((p) => baseAgents.get(p) !== headAgents.get(p)).sort();
  // The PR's specs and templates against the pods the reconciler committed on the target branch.
  const headRepo = [...headFiles.filter((f) => !inAgents(f.path)), ...baseFiles.filter((f) => inAgents(f.path))];
  const base = checkClusterRepo(baseFiles, layout, defaults);
  const head = checkClusterRepo(headRepo, layout, defaults);
  const agentsNow = live ? await livePoolAgents(env, [...new Set(manifests.map((m) => m.poolName))]) : undefined;
  const preview = prPreview(base, head, manifests, new Date(), { agentsFilesChanged, agents: agentsNow });
  out(json ? JSON.stringify(preview, null, 2) + '\n' : previewMarkdown(preview));
  return preview.errors.length > 0 ? 1 : 0;
}
