// `diff --live`: a PR that changes the pod template, previewed against the emulated pool while
// one agent runs a long job and another waits idle: the rotation is split as the pool shows it.
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { cloneRepoTo } from '../../helpers/cloneRepo.ts';
import { eventually, useWorld } from '../../helpers/world.ts';

describe('a reviewer previews a template change against the live pool', () => {
  const world = useWorld();

  it('counts the idle agents that rotate now and the busy one that rotates after its job', async () => {
    const reconciler = world.startReconciler();
    const busy = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name);
    const long = await world.admin.queueJob({ name: 'long', durationMs: 3_600_000 });
    await eventually('the long job on the standby agent', async () => (await world.admin.state()).jobs.find((j) => j.requestId === long)?.reservedAgent?.name === busy, 30_000);
    await eventually('a second, idle agent online', async () => (await world.agents()).find((a) => a.name !== busy && a.status === 'online' && a.assignedRequestId === undefined)?.name, 30_000);
    await reconciler.stop(); // the pool holds still while the preview reads it

    const base = await cloneRepoTo(world);
    const head = join(dirname(base), 'pr');
    try {
      await cp(base, head, { recursive: true });
      const template = join(head, 'templates/agent-pod.yaml');
      await writeFile(template, (await readFile(template, 'utf8')).replace('azure-pipelines-agent:ubuntu-24.04', 'azure-pipelines-agent:ubuntu-24.04-r2'));
      const linuxPods = (await world.manifests()).filter((m) => m.includes('/linux/')).length;

      const offline = await world.cli(['diff', base, head]);
      assert.equal(offline.code, 0, offline.stderr);
      assert.match(offline.stdout, new RegExp(`\\| \`linux\` \\| revision \`\\w+\` → \`\\w+\`; pod template \\| ${linuxPods} \\| \\*\\*${linuxPods} pods rotate\\*\\*: idle agents are replaced now, busy ones after their job \\|`));

      const live = await world.cli(['diff', base, head, '--live']);
      assert.equal(live.code, 0, live.stderr);
      const m = /\*\*(\d+) pods rotate\*\*: (\d+) idle now, (\d+) busy after its job/.exec(live.stdout);
      assert.ok(m, live.stdout);
      assert.equal(Number(m[1]), linuxPods);
      assert.ok(Number(m[2]) >= 1, 'the idle agent rotates now');
      assert.equal(Number(m[3]), 1, 'the agent running the long job rotates after it');
      assert.doesNotMatch(live.stdout, /needs the live pool/);
    } finally {
      await rm(dirname(base), { recursive: true, force: true });
    }
  });
});
