// Contract: pools and agents through the published client (404 → null, 409 typeKey, includes).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskAgentPoolType, TaskAgentStatus } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, queueJob, taskAgentApi, waitFor } from '../helpers/azdoClient.ts';

describe('azdo emulator: pools and agents', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator({ pools: ['k8s-agents', 'gpu'], messageLongPollMs: 200 });
    api = await taskAgentApi(emu);
  });
  after(() => emu.close());

  it('filters pools by name (case-insensitive) and type, gets one by id, and 404 → null', async () => {
    const gpu = await api.getAgentPools('GPU', undefined, TaskAgentPoolType.Automation);
    assert.equal(gpu.length, 1);
    assert.equal(gpu[0]?.poolType, TaskAgentPoolType.Automation);
    assert.deepEqual(await api.getAgentPools('none'), []);
    assert.equal((await api.getAgentPools(undefined, undefined, TaskAgentPoolType.Deployment)).length, 0);
    assert.equal((await api.getAgentPool(gpu[0]!.id!))?.name, 'gpu');
    assert.equal(await api.getAgentPool(999), null);
    const created = await admin(emu, 'POST', '/pools', { name: 'extra' });
    assert.equal(created.status, 201);
    assert.equal((await api.getAgentPools('extra'))[0]?.id, created.body.id);
  });

  it('registers an agent (POST) offline with dates as Date and status as the enum number', async () => {
    const agent = await api.addAgent({ name: 'reg-1', version: '4.250.0', osDescription: 'Linux', enabled: true, maxParallelism: 1,
      systemCapabilities: { docker: 'true' } } as never, 1);
    assert.ok(agent.id! > 0);
    assert.equal(agent.status, TaskAgentStatus.Offline);
    assert.ok(agent.createdOn instanceof Date);
    const found = await api.getAgents(1, 'REG-1');
    assert.deepEqual(found.map((a) => a.id), [agent.id]);
  });

  it('refuses a duplicate agent name with 409 TaskAgentExistsException', async () => {
    await api.addAgent({ name: 'dup', version: '4.250.0' }, 1);
    await assert.rejects(api.addAgent({ name: 'DUP', version: '4.250.0' }, 1), (err: any) => {
      assert.equal(err.statusCode, 409);
      assert.equal(err.result.typeKey, 'TaskAgentExistsException');
      assert.equal(err.result.$id, '1');
      return true;
    });
  });

  it('returns null for a missing agent or pool (404) instead of throwing', async () => {
    assert.equal(await api.getAgent(1, 4242), null);
    assert.equal(await api.getAgent(999, 1), null);
    const res = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools/1/agents/4242`, { headers: { Authorization: `Basic ${Buffer.from(`:${emu.token}`).toString('base64')}` } });
    assert.equal(((await res.json()) as { typeKey: string }).typeKey, 'TaskAgentNotFoundException');
  });

  it('includes capabilities only when asked, with userCapabilities set at registration', async () => {
    const placeholder = await api.addAgent({ name: 'placeholder-java', version: '4.250.0', enabled: false,
      systemCapabilities: {}, userCapabilities: { java: '17', 'azdo-gitops.placeholder': 'true' } } as never, 1);
    const plain = await api.getAgent(1, placeholder.id!);
    assert.equal(plain.userCapabilities, undefined);
    const full = await api.getAgent(1, placeholder.id!, true);
    assert.deepEqual(full.userCapabilities, { java: '17', 'azdo-gitops.placeholder': 'true' });
    assert.equal(full.enabled, false);
  });

  it('stores systemCapabilities at registration and returns them only with includeCapabilities', async () => {
    const a = await api.addAgent({ name: 'env-agent', version: '4.250.0', systemCapabilities: { AZDO_GITOPS_SPEC: 'linux', docker: 'true' } } as never, 1);
    assert.equal((await api.getAgent(1, a.id!)).systemCapabilities, undefined);
    assert.deepEqual((await api.getAgent(1, a.id!, true)).systemCapabilities, { AZDO_GITOPS_SPEC: 'linux', docker: 'true' });
    const listed = (await api.getAgents(1, 'env-agent', true)) ?? [];
    assert.deepEqual(listed[0]?.systemCapabilities, { AZDO_GITOPS_SPEC: 'linux', docker: 'true' });
    // The reconciler's list: includeCapabilities=false with both requests, capabilities omitted.
    const lean = (await api.getAgents(1, 'env-agent', false, true, true)) ?? [];
    assert.equal(lean[0]?.name, 'env-agent');
    assert.equal(lean[0]?.systemCapabilities, undefined);
    assert.equal(lean[0]?.userCapabilities, undefined);
    await api.deleteAgent(1, a.id!);
  });

  it('replaces (PUT), updates enabled (PATCH) and deletes an agent', async () => {
    const a = await api.addAgent({ name: 'rep', version: '3.0.0' }, 1);
    const replaced = await api.replaceAgent({ name: 'rep', version: '4.250.0', systemCapabilities: { node: '20' } } as never, 1, a.id!);
    assert.equal(replaced.id, a.id);
    assert.equal(replaced.version, '4.250.0');
    const disabled = await api.updateAgent({ enabled: false } as never, 1, a.id!);
    assert.equal(disabled.enabled, false);
    assert.equal((await api.getAgent(1, a.id!, true)).systemCapabilities?.node, '20');
    await api.deleteAgent(1, a.id!);
    assert.equal(await api.getAgent(1, a.id!), null);
    assert.equal(await api.replaceAgent({ name: 'rep' }, 1, a.id!), null, 'PUT on a deleted agent is a 404 → null');
  });

  it('shows online while a session exists, and assignedRequest / lastCompletedRequest when asked', async () => {
    const a = await api.addAgent({ name: 'busy', version: '4.250.0', systemCapabilities: { busy: 'yes' } } as never, 1);
    const session = await api.createAgentSession({ agent: { id: a.id, name: a.name, version: a.version }, ownerName: 'pod' } as never, 1);
    assert.equal((await api.getAgent(1, a.id!)).status, TaskAgentStatus.Online);
    const requestId = await queueJob(emu, { pool: 'k8s-agents', demands: ['busy -equals YES'], durationMs: 100 });
    const withRequest = await waitFor(async () => (await api.getAgent(1, a.id!, false, true)).assignedRequest);
    assert.equal(withRequest.requestId, requestId);
    assert.ok(await api.getMessage(1, session.sessionId!));
    const last = await waitFor(async () => (await api.getAgent(1, a.id!, false, true, true)).lastCompletedRequest);
    assert.equal(last.requestId, requestId);
    await api.deleteAgentSession(1, session.sessionId!);
    assert.equal((await api.getAgent(1, a.id!)).status, TaskAgentStatus.Offline);
  });
});
