// Agents are listed without capabilities; only those whose ownership their name cannot settle are
// read. Pure: which agents need a read, what an unread one is, and that reading only those gives
// the plan reading every agent's capabilities gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentsNeedingCapabilities, Ownership } from '../../reconciler/plan/agentOwnership.ts';
import type { ObservedState, PoolAgent } from '../../reconciler/plan/observed.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import { placeholderCapabilities } from '../../reconciler/plan/placeholders.ts';
import {
  aManifest, aPod, aSpec, busyOf, foreignAgent, idleOf, minutes, offlineAgent, startingOf, world,
} from '../helpers/fixtures.ts';

const opts = { nameSeed: 'pass-1' };
const linux = aSpec('linux', { capabilities: ['docker'], standby: 1 });
const docker = aSpec('docker', { capabilities: ['docker'] });

/** The agent as the lean list shows it: capabilities not read. */
const lean = (a: PoolAgent): PoolAgent => ({ ...a, specMarker: undefined, userCapabilities: {}, capabilitiesRead: false });

/** What a pass observes: every agent listed lean, then only the needed ones read. */
function listedLean(o: ObservedState): ObservedState {
  const listed = o.agents.map(lean);
  const needed = new Set(agentsNeedingCapabilities(listed, o.manifests, o.pods).map((a) => a.id));
  return { ...o, agents: o.agents.map((a, i) => (needed.has(a.id) ? a : listed[i]!)) };
}

test('our running pods’ agents need no read; orphan candidates, foreign and placeholder-named agents do', () => {
  const idle = idleOf(linux, 'linux-idle1');
  const busy = busyOf(linux, 'linux-busy1', 7);
  const orphan = offlineAgent('linux-orph1'); // manifest gone
  const podGone = idleOf(linux, 'linux-gone1'); // manifest, no pod
  const person = foreignAgent('build-vm');
  const placeholder = offlineAgent('linux-placeholder', { userCapabilities: placeholderCapabilities(linux), specMarker: undefined });
  const otherPool = idleOf(linux, 'linux-other');
  const o = world([idle, busy, { ...podGone, pod: undefined }], {
    specs: [linux],
    extraAgents: [orphan, person, placeholder, { ...otherPool.agent, poolName: 'elsewhere' }],
    manifests: [otherPool.manifest],
    extraPods: [otherPool.pod],
  });
  const needed = agentsNeedingCapabilities(o.agents.map(lean), o.manifests, o.pods).map((a) => a.name);
  assert.deepEqual(needed.sort(), ['build-vm', 'linux-gone1', 'linux-orph1', 'linux-other', 'linux-placeholder']);
  assert.deepEqual(agentsNeedingCapabilities(o.agents, o.manifests, o.pods), [], 'agents already read need nothing');
});

test('with the cluster not observed no name binds: every unread agent needs a read', () => {
  const o = world([idleOf(linux, 'linux-idle1'), busyOf(linux, 'linux-busy1', 7)], { specs: [linux], pods: null });
  assert.equal(agentsNeedingCapabilities(o.agents.map(lean), o.manifests, o.pods).length, 2);
});

test('a manifest and pod named like a placeholder do not spare its agent the read', () => {
  const m = aManifest(linux, 'linux-placeholder');
  const a = lean(offlineAgent('linux-placeholder'));
  assert.deepEqual(agentsNeedingCapabilities([a], [m], [aPod('linux-placeholder')]), [a]);
  assert.equal(new Ownership([a], [m], [aPod('linux-placeholder')]).of(a), 'unknown');
});

test('an unread agent is pod-bound while its name binds it, else unknown: never ours, never reported foreign', () => {
  const b = idleOf(linux, 'linux-idle1');
  const agent = lean(b.agent);
  assert.equal(new Ownership([agent], [b.manifest], [b.pod]).of(agent), 'pod-bound');
  for (const [manifests, pods, why] of [[[], [b.pod], 'manifest gone'], [[b.manifest], [], 'pod gone'], [[b.manifest], undefined, 'cluster not observed']] as const) {
    const o = new Ownership([agent], manifests, pods);
    assert.equal(o.of(agent), 'unknown', why);
    assert.ok(!o.isPodAgent(agent), why);
    assert.deepEqual(o.foreign(), [], why);
  }
});

test('an unknown agent is not touched: not bound, drained, unregistered, nor taken for a placeholder', () => {
  const spec = aSpec('linux', { standby: 0 });
  const gone = idleOf(spec, 'linux-gone1');
  const o = world([{ ...gone, pod: undefined }], {
    specs: [spec],
    extraAgents: [
      offlineAgent('linux-orph1'),
      offlineAgent('linux-placeholder', { userCapabilities: placeholderCapabilities(spec), specMarker: undefined }),
      offlineAgent('docker-placeholder', { userCapabilities: placeholderCapabilities(docker), specMarker: undefined }),
    ],
    extraPods: [aPod('linux-orph1', { phase: 'Succeeded' })],
  });
  // Read, the orphan and the obsolete placeholder are unregistered and the agent whose pod is gone is drained.
  const read = plan(o, opts);
  assert.deepEqual(read.unregister.map((u) => u.name).sort(), ['docker-placeholder', 'linux-gone1', 'linux-orph1']);
  assert.deepEqual(read.remove.filter((r) => r.agentId !== undefined).map((r) => r.podName), ['linux-gone1']);
  // Unread (their reads left nothing), none of it happens.
  const p = plan({ ...o, agents: o.agents.map(lean) }, opts);
  assert.deepEqual(p.unregister, [], 'no agent of unknown ownership is unregistered');
  assert.ok(p.remove.every((r) => r.agentId === undefined), 'none is drained');
  assert.deepEqual(p.registerPlaceholders, [], 'a placeholder name held by an unread agent is left to it');
  assert.deepEqual(p.foreignAgents, []);
});

test('reading only the agents that need it plans exactly what reading every agent plans', () => {
  const spec = aSpec('linux', { standby: 1, maxAgents: 4 });
  const docker0 = aSpec('docker', { capabilities: ['docker'], standby: 0 });
  const finished = idleOf(spec, 'linux-done1');
  const gone = idleOf(spec, 'linux-gone1');
  const worlds: [string, ObservedState][] = [
    ['steady', world([idleOf(spec, 'linux-idle1'), busyOf(spec, 'linux-busy1', 3), startingOf(spec, 'linux-start')], { specs: [spec, docker0] })],
    ['churn', world([{ ...finished, pod: { ...finished.pod, phase: 'Succeeded' } }, { ...gone, pod: undefined }, idleOf(spec, 'linux-idle2', { revision: 'oldrev0000' })], {
      specs: [spec, docker0],
      extraAgents: [
        offlineAgent('linux-orph1'),
        foreignAgent('linux-abc123', { status: 'offline' }),
        offlineAgent('docker-placeholder', { userCapabilities: placeholderCapabilities(docker0), specMarker: undefined }),
        offlineAgent('old-placeholder', { userCapabilities: { 'azdo-gitops.placeholder': 'old' }, specMarker: undefined }),
        foreignAgent('linux-placeholder'),
      ],
      extraPods: [aPod('linux-orph1', { phase: 'Succeeded' })],
      now: minutes(30),
    })],
    ['cluster not observed', world([idleOf(spec, 'linux-idle1'), idleOf(spec, 'linux-idle2'), busyOf(spec, 'linux-busy1', 3)], { specs: [spec], pods: null })],
    ['pre-marker agents', world([{ ...idleOf(spec, 'linux-pre01'), agent: foreignAgent('linux-pre01') }], { specs: [spec], extraAgents: [foreignAgent('linux-pre02', { status: 'offline' })] })],
  ];
  for (const [name, o] of worlds) assert.deepEqual(plan(listedLean(o), opts), plan(o, opts), name);
});
