// Agents of a pool: list, get, register (POST), replace (PUT), update (PATCH), delete.
import type { IncomingMessage } from 'node:http';
import type { Emulator, Route } from '../context.ts';
import { agentExists, badArgument } from '../errors.ts';
import { boolParam, readObject } from '../http.ts';
import { parseDemand, satisfiesAll } from '../demands.ts';
import type { Demand } from '../demands.ts';
import { capabilitiesOf } from '../scheduler.ts';
import type { Agent, Pool } from '../state.ts';
import { list } from '../wire.ts';
import { requireAgent, requirePool } from './lookup.ts';

function capabilityMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badArgument(`${field} must be an object of name → value strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw badArgument(`${field}.${k} must be a string.`);
  }
  return out;
}

const optString = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badArgument(`${key} must be a string.`);
  return v;
};

interface AgentFields {
  name?: string;
  version?: string;
  osDescription?: string;
  enabled?: boolean;
  maxParallelism?: number;
  systemCapabilities?: Record<string, string>;
  userCapabilities?: Record<string, string>;
  authorization?: Record<string, unknown>;
}

/** Reads the TaskAgent fields a caller may set; status and ids are the server's. */
async function readAgentFields(req: IncomingMessage): Promise<AgentFields> {
  const body = await readObject(req, 'a TaskAgent');
  const out: AgentFields = {};
  const name = optString(body, 'name');
  if (name !== undefined) {
    if (name.trim() === '' || name.length > 256) throw badArgument('name must be a non-empty string of at most 256 characters.');
    out.name = name;
  }
  const version = optString(body, 'version');
  if (version !== undefined) out.version = version;
  // The TS type spells it oSDescription; the wire spells it osDescription. Accept both.
  const os = optString(body, 'osDescription') ?? optString(body, 'oSDescription');
  if (os !== undefined) out.osDescription = os;
  if (body.enabled !== undefined && body.enabled !== null) {
    if (typeof body.enabled !== 'boolean') throw badArgument('enabled must be a boolean.');
    out.enabled = body.enabled;
  }
  if (body.maxParallelism !== undefined && body.maxParallelism !== null) {
    if (typeof body.maxParallelism !== 'number' || !Number.isInteger(body.maxParallelism) || body.maxParallelism < 1) {
      throw badArgument('maxParallelism must be a positive integer.');
    }
    out.maxParallelism = body.maxParallelism;
  }
  const sys = capabilityMap(body.systemCapabilities, 'systemCapabilities');
  if (sys) out.systemCapabilities = sys;
  const user = capabilityMap(body.userCapabilities, 'userCapabilities');
  if (user) out.userCapabilities = user;
  if (body.authorization !== undefined && body.authorization !== null) {
    if (typeof body.authorization !== 'object' || Array.isArray(body.authorization)) throw badArgument('authorization must be an object.');
    out.authorization = body.authorization as Record<string, unknown>;
  }
  return out;
}

function checkNameFree(emu: Emulator, pool: Pool, name: string, selfId: number | undefined): void {
  const other = emu.state.agentByName(pool.id, name);
  if (other && other.id !== selfId) throw agentExists(name, pool.id);
}

function withAuthorization(agent: Agent, auth: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!auth) return undefined;
  // The service issues the agent's OAuth client id on registration.
  return { clientId: `00000000-0000-4000-8000-${String(agent.id).padStart(12, '0')}`, authorizationUrl: 'http://127.0.0.1/_apis/oauth2/token', ...auth };
}

const readOpts = (query: URLSearchParams) => ({
  capabilities: boolParam(query.get('includeCapabilities')),
  assignedRequest: boolParam(query.get('includeAssignedRequest')),
  lastCompletedRequest: boolParam(query.get('includeLastCompletedRequest')),
});

export const agentRoutes: Route[] = [
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/agents',
    handler: ({ emu, params, query }) => {
      const pool = requirePool(emu, params.poolId);
      const name = query.get('agentName');
      const demandParam = query.get('demands');
      const demands: Demand[] = [];
      for (const d of demandParam ? demandParam.split(',') : []) {
        const parsed = parseDemand(d);
        if (!parsed) throw badArgument(`Demand '${d}' is not valid.`);
        demands.push(parsed);
      }
      const agents = emu.state.agentsInPool(pool.id)
        .filter((a) => !name || a.name.toLowerCase() === name.toLowerCase())
        .filter((a) => demands.length === 0 || satisfiesAll(capabilitiesOf(a), demands))
        .sort((a, b) => a.id - b.id)
        .map((a) => emu.wire.agent(a, readOpts(query)));
      return { status: 200, body: list(agents) };
    },
  },
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/agents/{agentId}',
    handler: ({ emu, params, query }) => {
      const pool = requirePool(emu, params.poolId);
      return { status: 200, body: emu.wire.agent(requireAgent(emu, pool, params.agentId), readOpts(query)) };
    },
  },
  {
    method: 'POST', pattern: 'distributedtask/pools/{poolId}/agents',
    handler: async ({ emu, params, req }) => {
      const pool = requirePool(emu, params.poolId);
      const f = await readAgentFields(req);
      if (f.name === undefined) throw badArgument('Value cannot be null. Parameter name: agent.Name');
      checkNameFree(emu, pool, f.name, undefined);
      const now = Date.now();
      const agent: Agent = {
        id: emu.state.newAgentId(), poolId: pool.id, name: f.name, version: f.version, osDescription: f.osDescription,
        enabled: f.enabled ?? true, maxParallelism: f.maxParallelism ?? 1, createdOn: now, statusChangedOn: now,
        systemCapabilities: f.systemCapabilities ?? {}, userCapabilities: f.userCapabilities ?? {},
        authorization: undefined, assignedRequestId: undefined, lastCompletedRequestId: undefined, cooldownUntil: 0,
      };
      agent.authorization = withAuthorization(agent, f.authorization);
      emu.state.agents.set(agent.id, agent);
      emu.scheduler.tick();
      return { status: 200, body: emu.wire.agent(agent, { capabilities: true }) };
    },
  },
  {
    method: 'PUT', pattern: 'distributedtask/pools/{poolId}/agents/{agentId}',
    handler: async ({ emu, params, req }) => {
      const pool = requirePool(emu, params.poolId);
      const agent = requireAgent(emu, pool, params.agentId);
      const f = await readAgentFields(req);
      if (f.name === undefined) throw badArgument('Value cannot be null. Parameter name: agent.Name');
      checkNameFree(emu, pool, f.name, agent.id);
      // Replace: everything the caller may set is taken from the body; id and createdOn stay.
      agent.name = f.name;
      agent.version = f.version;
      agent.osDescription = f.osDescription;
      agent.enabled = f.enabled ?? true;
      agent.maxParallelism = f.maxParallelism ?? 1;
      agent.systemCapabilities = f.systemCapabilities ?? {};
      agent.userCapabilities = f.userCapabilities ?? {};
      agent.authorization = withAuthorization(agent, f.authorization);
      emu.scheduler.tick();
      return { status: 200, body: emu.wire.agent(agent, { capabilities: true }) };
    },
  },
  {
    method: 'PATCH', pattern: 'distributedtask/pools/{poolId}/agents/{agentId}',
    handler: async ({ emu, params, req }) => {
      const pool = requirePool(emu, params.poolId);
      const agent = requireAgent(emu, pool, params.agentId);
      const f = await readAgentFields(req);
      if (f.name !== undefined) {
        checkNameFree(emu, pool, f.name, agent.id);
        agent.name = f.name;
      }
      if (f.version !== undefined) agent.version = f.version;
      if (f.osDescription !== undefined) agent.osDescription = f.osDescription;
      if (f.enabled !== undefined) agent.enabled = f.enabled;
      if (f.maxParallelism !== undefined) agent.maxParallelism = f.maxParallelism;
      if (f.systemCapabilities) agent.systemCapabilities = f.systemCapabilities;
      if (f.userCapabilities) agent.userCapabilities = f.userCapabilities;
      emu.scheduler.tick();
      return { status: 200, body: emu.wire.agent(agent, { capabilities: true }) };
    },
  },
  {
    method: 'DELETE', pattern: 'distributedtask/pools/{poolId}/agents/{agentId}',
    handler: ({ emu, params }) => {
      const pool = requirePool(emu, params.poolId);
      emu.scheduler.removeAgent(requireAgent(emu, pool, params.agentId));
      emu.scheduler.tick();
      return { status: 204 };
    },
  },
];
