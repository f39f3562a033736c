// Contract: per-identity throttling (429 + X-RateLimit-*), fault injection, request stats.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, basicAuth, taskAgentApi } from '../helpers/azdoClient.ts';

describe('azdo emulator: throttling, faults and stats', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  let other: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator({ extraTokens: ['second-identity-token'] });
    api = await taskAgentApi(emu);
    other = await taskAgentApi(emu, 'second-identity-token');
    await api.getAgentPools();
    await other.getAgentPools();
  });
  after(() => emu.close());

  it('blocks an identity over its TSTU budget with 429 TF400733 and rate-limit headers the client exposes', async () => {
    assert.equal((await admin(emu, 'POST', '/throttle', { tstuPerWindow: 1, windowSeconds: 1, costPerRequest: 0.25 })).status, 200);
    for (let i = 0; i < 4; i++) await api.getAgentPools();
    await assert.rejects(api.getAgentPools(), (err: any) => {
      assert.equal(err.statusCode, 429);
      assert.match(err.message, /^TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource/);
      assert.ok(err.rateLimit.retryAfter >= 1);
      assert.equal(err.rateLimit.limit, 1);
      assert.equal(err.rateLimit.remaining, 0);
      assert.ok(err.rateLimit.reset > Date.now() / 1000 - 1);
      assert.ok(typeof err.rateLimit.delay === 'number');
      assert.equal(err.responseHeaders['x-ratelimit-resource'], err.rateLimit.resource);
      assert.ok(err.responseHeaders['retry-after']);
      return true;
    });
    assert.equal((await other.getAgentPools()).length, 1, 'another identity has its own budget');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await api.getAgentPools()).length, 1, 'usage slid out of the window');
    const stats = (await admin(emu, 'GET', '/state')).body.stats;
    assert.ok(stats.throttled >= 1);
    await admin(emu, 'POST', '/throttle', { tstuPerWindow: 200, windowSeconds: 300, costPerRequest: 0.005 });
  });

  it('sends X-RateLimit headers on 200s once half the budget is used', async () => {
    await admin(emu, 'POST', '/throttle', { tstuPerWindow: 10, windowSeconds: 60, costPerRequest: 3 });
    const headers = { Authorization: basicAuth(emu.token) };
    const first = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools`, { headers });
    assert.equal(first.headers.get('x-ratelimit-limit'), null);
    const second = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools`, { headers });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('x-ratelimit-limit'), '10');
    assert.equal(second.headers.get('x-ratelimit-remaining'), '4');
    await admin(emu, 'POST', '/throttle', { tstuPerWindow: 200, windowSeconds: 300, costPerRequest: 0.005 });
  });

  it('injects a forced 429 for `count` requests, then recovers', async () => {
    await admin(emu, 'POST', '/faults', { throttle: { retryAfterSeconds: 7 }, count: 1 });
    await assert.rejects(api.getAgentPools(), (err: any) => err.statusCode === 429 && err.rateLimit.retryAfter === 7);
    assert.equal((await api.getAgentPools()).length, 1);
  });

  it('injects 5xx errors at a rate, an outage, and latency; never on the admin API', async () => {
    await admin(emu, 'POST', '/faults', { errorRate: 1, errorStatus: 502, count: 2 });
    for (let i = 0; i < 2; i++) await assert.rejects(api.getAgentPools(), (err: any) => err.statusCode === 502);
    assert.equal((await api.getAgentPools()).length, 1);

    await admin(emu, 'POST', '/faults', { outage: true });
    await assert.rejects(api.getAgentPools(), (err: any) => err.statusCode === 503);
    assert.equal((await admin(emu, 'GET', '/state')).status, 200);
    assert.equal((await admin(emu, 'DELETE', '/faults')).status, 204);
    assert.equal((await api.getAgentPools()).length, 1);

    await admin(emu, 'POST', '/faults', { latencyMs: 150, count: 1 });
    const started = Date.now();
    await api.getAgentPools();
    assert.ok(Date.now() - started >= 140);
    assert.equal((await admin(emu, 'POST', '/faults', { errorRate: 2 })).status, 400);
  });

  it('counts requests per route in /_admin/state so benchmarks can measure poll cost', async () => {
    assert.equal((await admin(emu, 'DELETE', '/stats')).status, 204);
    for (let i = 0; i < 3; i++) await api.getAgentRequestsForAgents(1, undefined, 0);
    const { stats } = (await admin(emu, 'GET', '/state')).body;
    assert.equal(stats.byRoute['GET distributedtask/pools/{poolId}/jobrequests'], 3);
    assert.equal(stats.requests, 3);
  });
});
