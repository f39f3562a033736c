import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { PoolAgent } from '../plan/observed.ts';
import { SPEC_MARKER_ENV } from '../manifests/labels.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';
import { AGENT_FIELDS, expectItem, expectList } from './wireShape.ts';

/** TaskAgentStatus in the client: Offline = 1, Online = 2 (the wire sends strings). */
const ONLINE = 2;

/** @param capabilitiesRead false for a read without capabilities (see PoolAgent.capabilitiesRead). */
export function toPoolAgent(a: TaskAgent, poolName: string, capabilitiesRead = true): PoolAgent {
  const status = a.status as unknown;
  const last = a.lastCompletedRequest?.requestId;
  return {
    id: a.id ?? 0,
    name: a.name ?? '',
    poolName,
    status: status === ONLINE || status === 'online' ? 'online' : 'offline',
    enabled: a.enabled !== false,
    assignedRequestId: a.assignedRequest?.requestId ?? undefined,
    createdOn: a.createdOn instanceof Date ? a.createdOn : a.createdOn ? new Date(a.createdOn) : undefined,
    userCapabilities: { ...(a.userCapabilities ?? {}) },
    specMarker: specMarkerOf(a.systemCapabilities),
    ...(typeof last === 'number' ? { lastCompletedRequestId: last } : {}),
    ...(capabilitiesRead ? {} : { capabilitiesRead: false }),
  };
}

/** The ownership marker among an agent's system capabilities (its env); the rest is dropped. */
function specMarkerOf(caps: Record<string, string> | undefined): string | undefined {
  if (caps === null || typeof caps !== 'object') return undefined; // outside input: any shape
  const key = SPEC_MARKER_ENV in caps ? SPEC_MARKER_ENV : Object.keys(caps).find((k) => k.toUpperCase() === SPEC_MARKER_ENV);
  const v = key === undefined ? undefined : caps[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * One call per pool per pass: every agent with its assigned request and its last completed
 * request (the job a finished pod ran, named in the commit that removes it). Without
 * capabilities: with a real agent's ~60 they are ~6/7 of the list, and only the few agents whose
 * ownership a name cannot settle need them (readAgentCapabilities, listAgentCapabilities).
 * `lastCompleted: false` leaves out the last completed request (a whole job request for each
 * agent that finished a job) for a re-read that needs only the assigned one: the unregister's.
 */
export async function listAgents(api: TaskAgentApi, poolId: number, poolName: string, opts: { readonly lastCompleted?: boolean } = {}): Promise<PoolAgent[]> {
  const operation = `list agents of pool "${poolName}"`;
  const agents = await callAzdo(operation, () => api.getAgents(poolId, undefined, false, true, opts.lastCompleted ?? true));
  // null (unparseable 2xx, or a 404 for a pool we just resolved) and `{}` are not "no agents".
  return expectList<TaskAgent>(operation, agents, AGENT_FIELDS).map((a) => toPoolAgent(a, poolName, false));
}

/**
 * One agent with its capabilities (for its marker and user capabilities): the pool's list
 * filtered by the agent's name, so null is only ever unreadable (a 404 of `agents/{id}` reads as
 * null too). undefined when that readable list does not hold the agent's id: it is no longer
 * registered (removed, or registered again under a new id).
 */
export async function readAgentCapabilities(api: TaskAgentApi, poolId: number, poolName: string, agent: Pick<PoolAgent, 'id' | 'name'>): Promise<PoolAgent | undefined> {
  const operation = `read the capabilities of agent "${agent.name}" of pool "${poolName}"`;
  const got = await callAzdo(operation, () => api.getAgents(poolId, agent.name, true, false, false));
  return expectList<TaskAgent>(operation, got, AGENT_FIELDS).filter((a) => a.id === agent.id).map((a) => toPoolAgent(a, poolName))[0];
}

/** Every agent of a pool with its capabilities: one call where many agents need them. */
export async function listAgentCapabilities(api: TaskAgentApi, poolId: number, poolName: string): Promise<PoolAgent[]> {
  const operation = `list agents of pool "${poolName}" with their capabilities`;
  const agents = await callAzdo(operation, () => api.getAgents(poolId, undefined, true, false, false));
  return expectList<TaskAgent>(operation, agents, AGENT_FIELDS).map((a) => toPoolAgent(a, poolName));
}

/**
 * Re-reads one agent without capabilities: the drain needs its state, its assigned request and
 * its last completed one. undefined only when a readable list of its pool no longer holds it.
 * The client resolves a 404 and an unreadable 2xx body alike as null, so null alone proves
 * nothing.
 */
export async function readAgent(api: TaskAgentApi, poolId: number, poolName: string, agentId: number): Promise<PoolAgent | undefined> {
  const operation = `read agent ${agentId} of pool "${poolName}"`;
  const a = await callAzdo(operation, () => api.getAgent(poolId, agentId, false, true, true));
  if (a !== null && a !== undefined) return toPoolAgent(expectItem<TaskAgent>(operation, a, AGENT_FIELDS, agentId), poolName, false);
  return (await listAgents(api, poolId, poolName)).find((x) => x.id === agentId);
}

/**
 * First step of removing an idle agent: the service stops assigning it jobs. Its reply is not
 * relied on (a page in front of the service answers 2xx without disabling anything): the drain
 * re-reads the agent and goes on only if it reads disabled.
 */
export async function disableAgent(api: TaskAgentApi, poolId: number, agentId: number): Promise<void> {
  await callAzdo(`disable agent ${agentId}`, () => api.updateAgent({ id: agentId, enabled: false }, poolId, agentId));
}

export async function deleteAgent(api: TaskAgentApi, poolId: number, agentId: number): Promise<void> {
  // A 404 resolves (already gone), which is what we want.
  await callAzdo(`unregister agent ${agentId}`, () => api.deleteAgent(poolId, agentId));
}

/** An offline agent that carries a spec's capabilities, so jobs queue while the spec is at zero. */
export async function registerPlaceholder(
  api: TaskAgentApi,
  poolId: number,
  name: string,
  capabilities: Readonly<Record<string, string>>,
): Promise<void> {
  await callAzdo(`register placeholder agent "${name}"`, () =>
    api.addAgent(
      // The wire field is `osDescription`; the client's type misspells it `oSDescription`.
      {
        name,
        version: '4.260.0',
        osDescription: 'azdo-gitops placeholder (never runs jobs)',
        enabled: true,
        maxParallelism: 1,
        userCapabilities: { ...capabilities },
        systemCapabilities: { 'Agent.Name': name },
      } as TaskAgent,
      poolId,
    ),
  );
}
