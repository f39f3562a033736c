// Builds the published azure-devops-node-api client against an emulator, plus admin helpers.
import * as azdev from 'azure-devops-node-api';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';

export interface EmulatorHandle {
  orgUrl: string;
  adminUrl: string;
  token: string;
}

export async function taskAgentApi(emu: EmulatorHandle, token = emu.token): Promise<ITaskAgentApi> {
  const conn = new azdev.WebApi(emu.orgUrl, azdev.getPersonalAccessTokenHandler(token));
  return conn.getTaskAgentApi();
}

export interface AdminReply {
  status: number;
  body: any;
}

export async function admin(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<AdminReply> {
  const res = await fetch(`${emu.adminUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Queues a job through the admin API; throws with the service's message when rejected. */
export async function queueJob(emu: EmulatorHandle, job: Record<string, unknown>): Promise<number> {
  const reply = await admin(emu, 'POST', '/jobs', job);
  if (reply.status !== 201) throw new Error(`queueJob ${reply.status}: ${reply.body?.message}`);
  return reply.body.requestId as number;
}

/**
 * An agent registered as the agent software does, with a session open: online and idle. It
 * carries its own name as a capability, so a job demanding that name goes to it alone.
 */
export async function listeningAgent(api: ITaskAgentApi, poolId: number, name: string): Promise<{ id: number; sessionId: string }> {
  const agent = await api.addAgent({ name, version: '4.250.0', enabled: true, maxParallelism: 1, systemCapabilities: { [name]: '' } } as never, poolId);
  const session = await api.createAgentSession({ agent: { id: agent.id, name, version: agent.version }, ownerName: name } as never, poolId);
  return { id: agent.id!, sessionId: session.sessionId! };
}

/** Basic auth header for raw fetch calls (cases the client cannot express). */
export function basicAuth(token: string, user = ''): string {
  return `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
