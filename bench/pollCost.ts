// Azure DevOps REST calls per reconcile pass as the pool grows: the real observe step
// (observeAzdo with the published client, reconciler/azdo/*) against the sandbox emulator, with
// N registered agents (registered as a real agent does: POST .../agents through the client) and
// M queued jobs. Prints a Markdown table. Run: npx node bench/pollCost.ts
import os from 'node:os';
import { startAzdoEmulator } from '../sandbox/azdo/index.ts';
import { AdminClient } from '../sandbox/azdo/adminClient.ts';
import { connectTaskAgentApi } from '../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import { observeAzdo } from '../reconciler/observe/azdoSnapshot.ts';
import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { countWireBytes, median, table, wireBytes } from './wireBytes.ts';

const POOL = 'k8s-agents';
/** [registered agents, queued jobs]. The emulator's own scheduler costs jobs × agents per tick, so the big rows grow one dimension at a time. */
const ROWS: readonly (readonly [number, number])[] = [[0, 0], [10, 10], [100, 100], [1000, 10], [10, 1000], [1000, 100]];
const PASSES = 7;

interface Row {
  agents: number;
  jobs: number;
  firstPassCalls: number;
  calls: number;
  routes: string;
  ms: number;
  kib: number;
}

async function measure(agentCount: number, jobCount: number): Promise<Row> {
  const emu = await startAzdoEmulator({
    pools: [POOL],
    // Registration and queueing must not exhaust the throttle budget: the pass is what we count.
    throttle: { tstuPerWindow: 1_000_000, windowSeconds: 300 },
  });
  try {
    const admin = new AdminClient(emu.adminUrl);
    const api = await connectTaskAgentApi(emu.orgUrl, emu.token);
    const poolId = (await api.getAgentPools(POOL))[0]!.id!;
    for (let i = 0; i < agentCount; i++) {
      const name = `bench-agent-${i}`;
      await api.addAgent({ name, version: '4.260.0', enabled: true, maxParallelism: 1, systemCapabilities: { 'Agent.Name': name } } as TaskAgent, poolId);
    }
    for (let i = 0; i < jobCount; i++) await admin.queueJob({ pool: POOL, name: `bench job ${i}` });

    // A fresh reconciler process: its first pass also discovers locations and looks the pool up.
    const session = { api: await connectTaskAgentApi(emu.orgUrl, emu.token), pools: undefined as unknown as PoolDirectory };
    session.pools = new PoolDirectory(session.api);
    await admin.resetStats();
    await observeAzdo(session, [POOL]);
    const firstPassCalls = (await admin.state()).stats.requests;

    const ms: number[] = [];
    const bytes: number[] = [];
    const calls: number[] = [];
    let routes = '';
    for (let i = 0; i < PASSES; i++) {
      await admin.resetStats();
      const before = wireBytes().read;
      const t0 = performance.now();
      const snap = await observeAzdo(session, [POOL]);
      ms.push(performance.now() - t0);
      bytes.push(wireBytes().read - before);
      const stats = (await admin.state()).stats;
      if (snap.agents.length !== agentCount || snap.pendingJobs.length !== jobCount) {
        throw new Error(`expected ${agentCount} agents and ${jobCount} pending jobs, observed ${snap.agents.length} and ${snap.pendingJobs.length}`);
      }
      calls.push(stats.requests);
      routes = Object.entries(stats.byRoute)
        .map(([r, n]) => `${r.replace(/^GET distributedtask\/pools\/\{poolId\}\//, '')} ×${n}`)
        .sort()
        .join(', ');
    }
    return { agents: agentCount, jobs: jobCount, firstPassCalls, calls: median(calls), routes, ms: median(ms), kib: median(bytes) / 1024 };
  } finally {
    await emu.close();
  }
}

countWireBytes();
const started = performance.now();
const rows: Row[] = [];
for (const [agents, jobs] of ROWS) {
  rows.push(await measure(agents, jobs));
  process.stderr.write(`pollCost: ${agents} agents, ${jobs} jobs done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}
console.log(`\npollCost: Azure DevOps REST calls per observe pass (1 pool; median of ${PASSES} passes after the first)\n`);
console.log(table([
  ['agents', 'queued jobs', 'calls (1st pass)', 'calls / pass', 'routes / pass', 'pass ms', 'response KiB / pass'],
  ...rows.map((r) => [r.agents, r.jobs, r.firstPassCalls, r.calls, r.routes, r.ms.toFixed(1), r.kib.toFixed(1)]),
]));
console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
