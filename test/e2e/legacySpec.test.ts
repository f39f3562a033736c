import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../helpers/world.ts';

/** The predecessor's AgentSpec, unchanged: an upper-case prefix it could not handle itself. */
const LEGACY = `apiVersion: azdo.octolamp.nl/v1
kind: AgentSpec
metadata:
  name: build-agents
spec:
  prefix: Legacy-Agent
  image: registry.example.com/azure-pipelines-agent:ubuntu-24.04
  imagePullSecretName: regcred
`;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("the predecessor's azdo.octolamp.nl/v1 AgentSpec with its env vars", () => {
  const world = useWorld();

  it('runs jobs on pods named with the lower-cased DNS-1123 prefix, standby and max from the env', async () => {
    // A migration: the legacy spec replaces the seeded ones.
    await world.pushAsPerson(
      { 'agentspecs/legacy.yaml': LEGACY, 'agentspecs/linux.yaml': null, 'agentspecs/docker.yaml': null },
      'migrate: the predecessor AgentSpec as is',
    );
    const reconciler = world.startReconciler({ AZDO_POOLNAME: 'k8s-agents', STANDBY_AGENT_COUNT: '1', MAX_AGENT_COUNT: '2' });

    const standby = await eventually('one legacy standby agent online', async () => {
      const agents = await world.agents();
      return agents.length === 1 && agents[0]!.status === 'online' ? agents[0]!.name : undefined;
    }, 30_000);
    assert.match(standby, /^legacy-agent-[a-z0-9]+$/);
    const pod = (await world.pods()).find((p) => p.metadata?.name === standby)!;
    assert.ok(DNS1123_LABEL.test(pod.metadata!.name!) && pod.metadata!.name!.length <= 63);
    assert.equal(pod.spec?.containers[0]?.image, 'registry.example.com/azure-pipelines-agent:ubuntu-24.04');
    assert.deepEqual(pod.spec?.imagePullSecrets?.map((s) => s.name), ['regcred']);
    const agentName = pod.spec?.containers[0]?.env?.find((e) => e.name === 'AZP_AGENT_NAME')?.value;
    assert.equal(agentName, standby, 'agent name = pod name');
    assert.ok((await world.manifests()).every((m) => m.startsWith('agents/pods/build-agents/')));

    // Three jobs, MAX_AGENT_COUNT=2: never more than two legacy agents, all jobs run on them.
    const jobs = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `legacy-${i}`, durationMs: 1_500 })));
    let most = 0;
    // The emulator drops reservedAgent once the agent is unregistered: note it while it runs.
    const ranOn = new Map<number, string>();
    await eventually(
      'every job finished',
      async () => {
        most = Math.max(most, (await world.manifests()).length);
        const mine = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId));
        for (const j of mine) if (j.reservedAgent) ranOn.set(j.requestId, j.reservedAgent.name);
        return mine.every((j) => j.state === 'finished');
      },
      90_000,
    );
    const done = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId));
    assert.deepEqual(done.map((j) => j.result), jobs.map(() => 'succeeded'));
    assert.equal(ranOn.size, jobs.length, 'saw every job on its agent');
    for (const name of ranOn.values()) assert.match(name, /^legacy-agent-[a-z0-9]+$/);
    assert.ok(most <= 2, `at most MAX_AGENT_COUNT=2 manifests at once, saw ${most}`);
    await eventually('back at one standby agent', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);
    await reconciler.stop();
  });
});
