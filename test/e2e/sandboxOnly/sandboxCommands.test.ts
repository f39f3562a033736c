import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { kubectl } from '../../helpers/kubectl.ts';
import { taskAgentApi } from '../../helpers/azdoClient.ts';
import { SOURCE_ENTRY as MAIN } from '../../helpers/world.ts';

describe('azdo-gitops sandbox', () => {
  it('serve prints one JSON line a client can use, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'sandbox', 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const info = JSON.parse(first) as Record<string, string>;
    assert.deepEqual(Object.keys(info).sort(), ['adminUrl', 'azdoUrl', 'gitToken', 'gitUrl', 'gitUsername', 'kubeconfig', 'pool', 'token']);
    const api = await taskAgentApi({ orgUrl: info.azdoUrl!, adminUrl: info.adminUrl!, token: info.token! });
    assert.deepEqual((await api.getAgentPools(info.pool)).map((p) => p.name), [info.pool]);
    const pods = await kubectl(info.kubeconfig!, ['get', 'pods', '-n', 'azdo-agents', '-o', 'name']);
    assert.equal(typeof pods, 'string');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('demo --json runs the default trace to the end: every job reported, the pool back at standby', async () => {
    const child = spawn(process.execPath, [MAIN, 'sandbox', 'demo', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out);
    const s = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | string | boolean | { p50: number; p95: number }>;
    for (const k of ['jobsQueued', 'jobsSucceeded', 'jobsFailed', 'jobsRejected', 'maxConcurrentAgents', 'scaleUpCommits', 'pruneCommits', 'agentsRegisteredAtEnd', 'podsAtEnd', 'manifestsAtEnd', 'jobWaitSeconds', 'repoDir']) {
      assert.ok(k in s, `summary has ${k}`);
    }
    assert.equal(s.jobsSucceeded as number + (s.jobsFailed as number), s.jobsQueued, 'every queued job finished');
    assert.ok((s.jobsRejected as number) >= 1, 'the job no spec can run was rejected and reported');
    assert.equal(s.agentsRegisteredAtEnd, s.standby);
    assert.equal(s.podsAtEnd, s.standby);
    assert.equal(s.manifestsAtEnd, s.standby);
    assert.ok((s.scaleUpCommits as number) > 0 && (s.pruneCommits as number) > 0);
    assert.ok((s.maxConcurrentAgents as number) > 1, 'the burst ran in parallel');
    const wait = s.jobWaitSeconds as { p50: number; p95: number };
    assert.ok(wait.p50 <= wait.p95);
  });
});
