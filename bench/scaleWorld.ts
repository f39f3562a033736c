// A deterministic organization of a given size as plan() sees it (ObservedState): the input of
// bench/planCost.ts and the shape bench/scale.ts builds for real. At scale 1: 5 pools, 50 specs,
// 1,000 agents with ~60 capabilities, 1,000 manifests and pods, 2,000 queued jobs with mixed
// demands (some match no spec). Scale multiplies agents, manifests, pods, jobs and specs (not pools).
import type { AgentSpec, Capability } from '../reconciler/agentspec/agentSpec.ts';
import { DEFAULT_DEADLINES } from '../reconciler/agentspec/agentSpec.ts';
import type { Manifest, ObservedPod, ObservedState, PendingJob, PoolAgent } from '../reconciler/plan/observed.ts';

export const POOLS = 5;
export const SPECS = 50;
export const BASE_AGENTS = 1000;
export const BASE_JOBS = 2000;
export const AGENT_CAPABILITIES = 60;

export const poolName = (p: number): string => `pool-${p}`;
export const specName = (s: number): string => `spec-${String(s).padStart(3, '0')}`;
const poolOf = (s: number): number => s % POOLS;

/** Spec s offers os/tool capabilities: every spec `docker`, a tool version, one in ten `gpu`. */
export function specCapabilities(s: number): Capability[] {
  const caps: Capability[] = [
    { name: 'docker', value: undefined },
    { name: 'os', value: s % 2 === 0 ? 'linux' : 'windows' },
    { name: 'node', value: String(18 + (s % 4) * 2) },
    { name: `team-${s % 10}`, value: undefined },
  ];
  if (s % 10 === 0) caps.push({ name: 'gpu', value: undefined });
  return caps;
}

/** Demands of job j: most match several specs, some one, one in twenty none (an unknown tool). */
export function jobDemands(j: number): string[] {
  const d = ['docker'];
  if (j % 3 === 0) d.push(`os -equals ${j % 2 === 0 ? 'linux' : 'windows'}`);
  if (j % 5 === 0) d.push(`node -equals ${18 + (j % 4) * 2}`);
  if (j % 7 === 0) d.push(`team-${j % 10}`);
  if (j % 11 === 0) d.push('gpu');
  if (j % 20 === 0) d.push('fortran');
  d.push('Agent.Version -gtVersion 3.0.0');
  return d;
}

export function aBenchSpec(s: number): AgentSpec {
  return {
    name: specName(s),
    file: `agentspecs/${specName(s)}.yaml`,
    format: 'v1alpha1',
    pool: poolName(poolOf(s)),
    prefix: specName(s),
    capabilities: specCapabilities(s),
    standby: s % 5 === 0 ? 2 : 0,
    maxAgents: 400,
    namespace: 'azdo-agents',
    template: { spec: { containers: [{ name: 'agent', image: 'example.com/azp-agent:1' }] } },
    tokenSecretRef: { name: 'azdo-agent-token', key: 'token' },
    deadlines: DEFAULT_DEADLINES,
    revision: `rev${s % 3}`,
  };
}

/** The ~60 capabilities an agent publishes (system ones; only the marker is kept by the adapter). */
export function agentSystemCapabilities(spec: string, i: number): Record<string, string> {
  const caps: Record<string, string> = { AZDO_GITOPS_SPEC: spec, 'Agent.Name': `${spec}-a${i}` };
  for (let k = 0; Object.keys(caps).length < AGENT_CAPABILITIES; k++) caps[`ENV_VAR_${k}`] = `/usr/local/share/tool-${k}/bin:${i}`;
  return caps;
}

export interface ScaleSizes {
  readonly agents: number;
  readonly jobs: number;
  readonly specs: number;
  readonly pools: number;
}

export function sizesAt(scale: number): ScaleSizes {
  return { agents: Math.round(BASE_AGENTS * scale), jobs: Math.round(BASE_JOBS * scale), specs: Math.max(POOLS, Math.round(SPECS * scale)), pools: POOLS };
}

const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Agent i belongs to spec i mod specs: half busy, a quarter idle, a quarter finished (pod Succeeded). */
export function observedAt(scale: number): ObservedState {
  const { agents: n, jobs: m, specs: k } = sizesAt(scale);
  const specs = Array.from({ length: k }, (_, s) => aBenchSpec(s));
  const agents: PoolAgent[] = [];
  const manifests: Manifest[] = [];
  const pods: ObservedPod[] = [];
  for (let i = 0; i < n; i++) {
    const spec = specs[i % k]!;
    const name = `${spec.prefix}-a${String(i).padStart(5, '0')}`;
    const busy = i % 2 === 0;
    const finished = i % 4 === 3;
    agents.push({
      id: i + 1,
      name,
      poolName: spec.pool,
      status: finished ? 'offline' : 'online',
      enabled: true,
      assignedRequestId: busy ? 1_000_000 + i : undefined,
      createdOn: new Date(T0),
      userCapabilities: {},
      specMarker: spec.name,
    });
    manifests.push({
      path: `agents/pods/${spec.name}/${name}.yaml`,
      podName: name,
      specName: spec.name,
      specRevision: spec.revision,
      poolName: spec.pool,
      createdAt: new Date(T0 + i * 1000),
    });
    pods.push({
      name,
      phase: finished ? 'Succeeded' : 'Running',
      createdAt: new Date(T0 + i * 1000),
      waitingReason: undefined,
      unschedulable: false,
      deleting: false,
      specName: spec.name,
    });
  }
  const pendingJobs: PendingJob[] = Array.from({ length: m }, (_, j) => ({
    requestId: 10_000 + j,
    poolName: poolName(j % POOLS),
    demands: jobDemands(j),
    queueTime: new Date(T0 + 86_400_000 + j * 100),
    jobName: 'Job',
    definitionName: `pipeline-${j % 37}`,
  }));
  // In path order, as GitRepo.readFiles returns them.
  manifests.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { now: new Date(T0 + 2 * 86_400_000), specs, specErrors: [], pendingJobs, agents, manifests, pods, globalMaxAgents: 20 * n + 1000 };
}

/**
 * Job j of the live world (bench/scaleWorldServer.ts), where the service refuses a job no
 * registered agent can run: it targets spec j mod specs and demands a subset of that spec's
 * capabilities (so several specs often match); one in twenty demands `fortran`, which only a
 * person's agent offers (no spec serves it).
 */
export function worldJob(j: number, specs: number): { pool: string; demands: string[] } {
  const t = j % specs;
  if (j % 20 === 19) return { pool: poolName(t % POOLS), demands: ['fortran'] };
  const caps = specCapabilities(t);
  const demands = caps
    .filter((_, k) => k === 0 || ((j >> k) & 1) === 1)
    .map((c) => (c.value === undefined ? c.name : `${c.name} -equals ${c.value}`));
  return { pool: poolName(t % POOLS), demands };
}
