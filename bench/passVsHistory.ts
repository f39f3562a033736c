// A full dry-run reconcile pass (runPass: git fetch + read specs/manifests, observe Azure DevOps,
// plan) against cluster repos on the sandbox git server whose history is 10 … 3000 commits long.
// The reconciler keeps a depth-1 cache, so clone size, fetched bytes and pass time should not
// grow with history; the full history pack (what a non-shallow clone would download) is printed
// for contrast. Prints a Markdown table. Run: npx node bench/passVsHistory.ts
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGitServer, runGit } from '../sandbox/git/index.ts';
import { startAzdoEmulator } from '../sandbox/azdo/index.ts';
import { connectTaskAgentApi } from '../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import { pathsFrom, specDefaultsFrom } from '../reconciler/config/config.ts';
import { GitRepo } from '../reconciler/gitops/index.ts';
import { createLogger } from '../reconciler/support/logger.ts';
import { runPass, type PassDeps } from '../reconciler/loop/pass.ts';
import { median, table } from './wireBytes.ts';
import { fastImport } from './fastImport.ts';

const HISTORY = [10, 100, 1000, 3000];
const STEADY_PASSES = 5;
const FETCH_PASSES = 5;
const SEED = fileURLToPath(new URL('../cluster-repo-example/', import.meta.url));
const USER = 'bench';
const TOKEN = randomBytes(16).toString('hex');


let clock = 1_767_225_600; // 2026-01-01, one second per commit
/** `count` commits on main, each writing a different ~2 KiB pod manifest (agent churn), the last one removing it. */
function churnCommits(count: number, removeAtEnd: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const msg = `azdo-gitops: churn ${i}\n\n[skip ci]\n`;
    const file =
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: churn-${i}\n  annotations:\n    noise: "${randomBytes(1536).toString('base64')}"\n` +
      `spec:\n  restartPolicy: Never\n  containers:\n    - name: agent\n      image: example.com/azp-agent:1\n`;
    const when = `${clock++} +0000`;
    parts.push(
      'commit refs/heads/main',
      `committer azdo-gitops <azdo-gitops@users.noreply.local> ${when}`,
      `data ${Buffer.byteLength(msg)}`,
      msg,
      // Only the first commit names its parent; the rest continue the branch in memory.
      ...(i === 0 ? ['from refs/heads/main^0'] : []),
      removeAtEnd && last ? 'D agents/pods/churn/churn.yaml' : `M 100644 inline agents/pods/churn/churn.yaml\ndata ${Buffer.byteLength(file)}\n${file}`,
      '',
    );
  }
  return parts.join('\n') + '\n';
}

async function packKiB(bareDir: string): Promise<number> {
  // One pack of all history: about what a full (non-shallow) clone downloads.
  await runGit(['repack', '-a', '-d', '-q'], bareDir);
  const out = (await runGit(['count-objects', '-v'], bareDir)).stdout;
  const kib = (key: string): number => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return kib('size-pack') + kib('size');
}

interface Row {
  commits: number;
  historyKiB: number;
  cloneMs: number;
  cloneKiB: number;
  cacheKiB: number;
  passMs: number;
  passKiB: number;
  fetchPassMs: number;
  fetchKiB: number;
}

const work = await mkdtemp(path.join(os.tmpdir(), 'azdo-gitops-bench-history-'));
const server = await startGitServer({ username: USER, token: TOKEN });
const emu = await startAzdoEmulator({ throttle: { tstuPerWindow: 1_000_000, windowSeconds: 300 } });
const started = performance.now();
try {
  const api = await connectTaskAgentApi(emu.orgUrl, emu.token);
  const azdo = { api, pools: new PoolDirectory(api) };
  const env = {};
  const log = createLogger({ level: 'error', secrets: [TOKEN, emu.token] });
  const rows: Row[] = [];
  for (const commits of HISTORY) {
    const name = `cluster-${commits}`;
    const url = await server.createRepo(name, SEED, { message: 'seed: cluster-repo-example' });
    const bare = path.join(server.root, `${name}.git`);
    // The seed is commit 1; churn adds the rest (the last churn commit removes the churn file).
    await fastImport(bare, churnCommits(commits - 1, true));
    const historyKiB = await packKiB(bare);
    const count = Number((await runGit(['rev-list', '--count', 'main'], bare)).stdout.trim());
    if (count !== commits) throw new Error(`expected ${commits} commits of history, made ${count}`);

    const t0 = performance.now();
    const repo = await GitRepo.open({
      url, branch: 'main', dir: path.join(work, name), auth: { username: USER, token: TOKEN },
      author: { name: 'azdo-gitops', email: 'azdo-gitops@users.noreply.local' }, recloneAfterFetches: 1_000,
    });
    const cloneMs = performance.now() - t0;
    const cloneKiB = repo.stats.lastFetchBytes / 1024;
    const cacheKiB = repo.stats.objectsBytes / 1024;

    const deps: PassDeps = {
      settings: { orgUrl: emu.orgUrl, paths: pathsFrom(env), specDefaults: specDefaultsFrom(env), globalMaxAgents: 50, pushAttempts: 1 },
      azdo, repo, pods: () => [], log,
    };
    // Steady state: nobody pushed since the last pass (ls-refs only, nothing fetched).
    const passMs: number[] = [];
    const passBytes: number[] = [];
    for (let i = 0; i < STEADY_PASSES; i++) {
      const p0 = performance.now();
      const report = await runPass(deps, 'dry-run');
      passMs.push(performance.now() - p0);
      passBytes.push(repo.stats.lastFetchBytes);
      if (report.commit !== undefined) throw new Error('a dry-run pass must not commit');
      if (report.specErrors.length) throw new Error(`spec errors: ${JSON.stringify(report.specErrors)}`);
    }
    // Someone pushed one commit: the pass fetches it (depth 1).
    const fetchMs: number[] = [];
    const fetchBytes: number[] = [];
    for (let i = 0; i < FETCH_PASSES; i++) {
      await fastImport(bare, churnCommits(1, false));
      const p0 = performance.now();
      await runPass(deps, 'dry-run');
      fetchMs.push(performance.now() - p0);
      fetchBytes.push(repo.stats.lastFetchBytes);
    }
    rows.push({
      commits, historyKiB, cloneMs, cloneKiB, cacheKiB,
      passMs: median(passMs), passKiB: median(passBytes) / 1024,
      fetchPassMs: median(fetchMs), fetchKiB: median(fetchBytes) / 1024,
    });
    process.stderr.write(`passVsHistory: ${commits} commits done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  console.log(`\npassVsHistory: dry-run pass (runPass) vs length of the cluster repo's history (median of ${STEADY_PASSES} unchanged-tip passes, ${FETCH_PASSES} passes after a new upstream commit)\n`);
  console.log(table([
    ['commits', 'full history pack KiB', 'clone ms', 'clone KiB fetched', 'cache KiB on disk', 'pass ms (tip unchanged)', 'KiB fetched', 'pass ms (1 new commit)', 'KiB fetched '],
    ...rows.map((r) => [r.commits, r.historyKiB, r.cloneMs.toFixed(0), r.cloneKiB.toFixed(1), r.cacheKiB.toFixed(1), r.passMs.toFixed(1), r.passKiB.toFixed(1), r.fetchPassMs.toFixed(1), r.fetchKiB.toFixed(1)]),
  ]));
  console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await emu.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
