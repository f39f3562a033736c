// What reading a pool's agents costs per pass, with capabilities in the list (the reconciler
// before) against the lean list plus the reads of the agents that need them (now): the
// reconciler's own adapter and observe step (reconciler/azdo/agents.ts, observe/agentCapabilities.ts)
// against the sandbox emulator. N agents with ~60 system capabilities each (bench/scaleWorld.ts),
// each with our manifest and a running pod; one placeholder per spec (10) and 2 people's agents.
// Calls and response bytes are the emulator's (bodies, headers aside). Job requests are not read:
// bench:scale measures whole passes. Run: npx node bench/agentListCost.ts [agents ...]
import os from 'node:os';
import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { startAzdoEmulator } from '../sandbox/azdo/index.ts';
import { AdminClient } from '../sandbox/azdo/adminClient.ts';
import { AgentCapabilityCache } from '../reconciler/azdo/agentCapabilityCache.ts';
import { listAgents } from '../reconciler/azdo/agents.ts';
import { connectTaskAgentApi } from '../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import type { AzdoSession } from '../reconciler/azdo/session.ts';
import { readNeededCapabilities } from '../reconciler/observe/agentCapabilities.ts';
import { agentsNeedingCapabilities } from '../reconciler/plan/agentOwnership.ts';
import type { Manifest, ObservedPod } from '../reconciler/plan/observed.ts';
import { agentSystemCapabilities } from './scaleWorld.ts';
import { table } from './wireBytes.ts';

const POOL = 'k8s-agents';
const SPECS = 10;
const PEOPLES = 2;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ROWS = sizes.length > 0 ? sizes : [100, 1000];

interface Cost {
  readonly calls: number;
  readonly kib: number;
}

async function measure(n: number): Promise<{ n: number; before: Cost; first: Cost; steady: Cost; churn: Cost; churned: number }> {
  const emu = await startAzdoEmulator({ pools: [POOL], throttle: { tstuPerWindow: 1_000_000, windowSeconds: 300 } });
  try {
    const admin = new AdminClient(emu.adminUrl);
    const api = await connectTaskAgentApi(emu.orgUrl, emu.token);
    const poolId = (await api.getAgentPools(POOL))[0]!.id!;
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const spec = `spec${String(i % SPECS).padStart(2, '0')}`;
      const name = `${spec}-a${String(i).padStart(5, '0')}`;
      names.push(name);
      await api.addAgent({ name, version: '4.260.0', enabled: true, maxParallelism: 1, systemCapabilities: { ...agentSystemCapabilities(spec, i), 'Agent.Name': name } } as TaskAgent, poolId);
    }
    for (let s = 0; s < SPECS; s++) {
      const spec = `spec${String(s).padStart(2, '0')}`;
      await api.addAgent({ name: `${spec}-placeholder`, version: '4.260.0', enabled: true, maxParallelism: 1, systemCapabilities: { 'Agent.Name': `${spec}-placeholder` }, userCapabilities: { 'azdo-gitops.placeholder': spec, docker: 'true' } } as TaskAgent, poolId);
    }
    for (let p = 0; p < PEOPLES; p++) {
      const { AZDO_GITOPS_SPEC: _marker, ...env } = agentSystemCapabilities('person', p);
      await api.addAgent({ name: `build-vm-${p}`, version: '4.260.0', enabled: true, maxParallelism: 1, systemCapabilities: env } as TaskAgent, poolId);
    }
    const manifestOf = (podName: string): Manifest => ({ path: `agents/${podName}.yaml`, podName, specName: podName.replace(/-a\d+$/, ''), specRevision: 'r', poolName: POOL, createdAt: new Date(0) });
    const podOf = (name: string): ObservedPod => ({ name, phase: 'Running', createdAt: new Date(0), waitingReason: undefined, unschedulable: false, deleting: false, specName: undefined });

    const session: AzdoSession = { api, pools: new PoolDirectory(api), agentCapabilities: new AgentCapabilityCache() };
    await session.pools.idOf(POOL);
    const cost = async (work: () => Promise<unknown>): Promise<Cost> => {
      await admin.resetStats();
      await work();
      const stats = (await admin.state()).stats as unknown as { requests: number; bytes: number };
      return { calls: stats.requests, kib: stats.bytes / 1024 };
    };
    const pass = (manifests: readonly Manifest[], pods: readonly ObservedPod[]) => async () => {
      const listed = await listAgents(api, poolId, POOL);
      await readNeededCapabilities(session, listed, agentsNeedingCapabilities(listed, manifests, pods));
    };
    const before = await cost(() => api.getAgents(poolId, undefined, true, true, true));
    const all = names.map(manifestOf);
    const pods = names.map(podOf);
    const first = await cost(pass(all, pods));
    const steady = await cost(pass(all, pods));
    // 1% of the pods finished and their files went, but their agents are still listed (an
    // unregister that failed, or the pass after the push): orphan candidates, read once each.
    const churned = Math.max(1, Math.round(n / 100));
    const churn = await cost(pass(all.slice(churned), pods.slice(churned)));
    return { n, before, first, steady, churn, churned };
  } finally {
    await emu.close();
  }
}

const started = performance.now();
const rows: Awaited<ReturnType<typeof measure>>[] = [];
for (const n of ROWS) {
  rows.push(await measure(n));
  process.stderr.write(`agentListCost: ${n} agents done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}
const c = (x: Cost) => `${x.calls} / ${x.kib.toFixed(1)}`;
console.log(`\nagentListCost: reading one pool's agents, calls / response KiB per pass (${SPECS} placeholders and ${PEOPLES} people's agents besides)\n`);
console.log(table([
  ['agents', 'with capabilities (before)', 'lean: 1st pass', 'lean: steady pass', 'lean: 1% orphaned'],
  ...rows.map((r) => [r.n, c(r.before), c(r.first), c(r.steady), `${c(r.churn)} (${r.churned})`]),
]));
console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
