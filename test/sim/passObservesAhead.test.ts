// The pass asks Azure DevOps about the last pass's pools while git is fetched (the production
// runPass against the simulator's service and git remote, in virtual time), and about a pool the
// specs name anew once it has read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { JobListingMemory } from '../../reconciler/azdo/jobListingFloor.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { runPass, type PassDeps } from '../../reconciler/loop/pass.ts';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { GitRemote, MemoryRepo } from '../../sim/gitRemote.ts';
import { Rng } from '../../sim/random.ts';
import { ServiceApi, ServiceModel } from '../../sim/serviceModel.ts';
import { DEFAULT_MAX_AGENTS, DEFAULT_SPECS, initialFiles, PATHS, POOL, renderSpec, specPath } from '../../sim/specs.ts';
import { settle, VirtualTime } from '../../sim/virtualTime.ts';

test('a pass observes the last pools during the fetch, and a pool new in the specs after reading them', async () => {
  const vt = new VirtualTime(Date.parse('2026-03-02T08:00:00Z'));
  const svc = new ServiceModel(vt);
  const first = svc.state.addPool(POOL);
  const other = svc.state.addPool('gpu-agents');
  const remote = new GitRemote(initialFiles(DEFAULT_SPECS), vt.now());
  const owner = { dead: false };
  const events: string[] = [];
  const api = new ServiceApi(svc, new Rng(1), owner, () => {});
  // Records when each pool's agent list is asked for (the pool's id), beside the repo's fetches.
  const tracked = new Proxy(api, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop !== 'getAgents') return (v as (...a: unknown[]) => unknown).bind(target); // private fields need the real receiver
      return (poolId: number, ...rest: unknown[]) => {
        if (rest[0] === undefined) events.push(`agents ${poolId}`); // the pool's list, not one agent's capabilities read by name
        return (v as (...a: unknown[]) => unknown).call(target, poolId, ...rest);
      };
    },
  }) as unknown as TaskAgentApi;
  const repo = new MemoryRepo(remote, vt, new Rng(2), owner, { afterFetch: () => events.push('fetched') });
  const deps: PassDeps = {
    settings: { orgUrl: 'http://service.invalid/org', paths: PATHS, specDefaults: DEFAULT_SPEC_DEFAULTS, globalMaxAgents: DEFAULT_MAX_AGENTS, pushAttempts: 5 },
    azdo: {
      api: tracked,
      pools: new PoolDirectory(tracked),
      openJobRequestListing: (_api, poolId) => api.jobRequestListing(poolId),
      // As the simulator reads them: the paged listing once a complete read found a floor.
      readJobRequestPage: (_api, poolId, token) => api.jobRequestPage(poolId, token),
      jobListings: new JobListingMemory({ pagedFromBytes: 0, pagedFromRequestBytes: 0 }),
    },
    repo,
    pods: () => [],
    log: createLogger({ level: 'error', write: () => {} }),
    now: () => vt.date(),
    sleep: vt.sleep(owner),
    random: () => 0.5,
  };
  /** One pass to its end in virtual time; the events it caused. */
  const pass = async (): Promise<{ events: string[]; report: PassReport }> => {
    events.length = 0;
    let out: { r: PassReport } | { e: unknown } | undefined;
    runPass(deps, 'apply').then((r) => (out = { r }), (e) => (out = { e }));
    while (!out) {
      await settle();
      if (!out) vt.step(Infinity);
    }
    if ('e' in out) throw out.e;
    return { events: [...events], report: out.r };
  };

  const p1 = await pass();
  assert.deepEqual(p1.events.slice(0, 2), ['fetched', `agents ${first.id}`], 'the first pass knows no pools before reading the specs');
  const p2 = await pass();
  assert.deepEqual(p2.events.slice(0, 2), [`agents ${first.id}`, 'fetched'], 'the next asks about the last pools before the fetch returns');
  assert.equal(p2.events.filter((e) => e.startsWith('agents')).length, 1, 'and not again after reading the same pools');

  remote.commitAsPerson((files) => {
    files.set(specPath('gpu'), renderSpec({ ...DEFAULT_SPECS[0]!, name: 'gpu' }).replace(`pool: ${POOL}`, 'pool: gpu-agents'));
    return 'add a spec in another pool';
  }, vt.now());
  const p3 = await pass();
  assert.deepEqual(p3.events.filter((e) => e.startsWith('agents')).sort(), [`agents ${first.id}`, `agents ${first.id}`, `agents ${other.id}`].sort(),
    'the last pools during the fetch, then both once the specs name the new one');
  assert.ok(p3.report.plan.summaries.some((s) => s.specName === 'gpu' && s.pool === 'gpu-agents'), 'the new spec is planned with its pool observed');
});
