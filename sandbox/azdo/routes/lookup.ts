// Route-value lookups shared by the REST handlers; each fails with the service's 404.
import type { Emulator } from '../context.ts';
import { agentNotFound, jobNotFound, poolNotFound } from '../errors.ts';
import type { Agent, Job, Pool } from '../state.ts';

const asId = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d+$/.test(value) ? Number.parseInt(value, 10) : undefined;

export function requirePool(emu: Emulator, poolId: string | undefined): Pool {
  const id = asId(poolId);
  const pool = id !== undefined ? emu.state.pools.get(id) : undefined;
  if (!pool) throw poolNotFound(poolId ?? '');
  return pool;
}

export function requireAgent(emu: Emulator, pool: Pool, agentId: string | undefined): Agent {
  const id = asId(agentId);
  const agent = id !== undefined ? emu.state.agents.get(id) : undefined;
  if (!agent || agent.poolId !== pool.id) throw agentNotFound(agentId ?? '', pool.id);
  return agent;
}

export function requireJob(emu: Emulator, pool: Pool, requestId: string | undefined): Job {
  const id = asId(requestId);
  const job = id !== undefined ? emu.state.jobs.get(id) : undefined;
  if (!job || job.poolId !== pool.id) throw jobNotFound(requestId ?? '', pool.id);
  return job;
}
