// What a cluster-repo pull request will do, judged offline from the base's and the PR's specs and
// the base's committed pods; and the Markdown a reviewer reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorSink } from '../../reconciler/agentspec/errorSink.ts';
import { parseStandbySchedule, type StandbySchedule } from '../../reconciler/agentspec/standbySchedule.ts';
import type { AgentSpec } from '../../reconciler/agentspec/agentSpec.ts';
import type { RepoCheck } from '../../reconciler/manifests/validateRepo.ts';
import type { SpecError } from '../../reconciler/agentspec/specError.ts';
import { prPreview } from '../../reconciler/preview/prPreview.ts';
import { previewMarkdown } from '../../reconciler/preview/previewMarkdown.ts';
import { aManifest, anAgent, aSpec, offlineAgent } from '../helpers/fixtures.ts';

const NOW = new Date('2026-03-02T06:00:00Z'); // a Monday
const repo = (specs: AgentSpec[], errors: SpecError[] = []): RepoCheck => ({ specs, errors, warnings: [] });

function officeHours(): StandbySchedule {
  const sink = new ErrorSink('agentspecs/linux.yaml');
  const s = parseStandbySchedule({ timeZone: 'UTC', rules: [{ cron: '0 8 * * 1-5', standby: 4 }, { cron: '0 18 * * 1-5', standby: 1 }] }, 10, sink);
  assert.ok(s, JSON.stringify(sink.errors));
  return s;
}

const linux = aSpec('linux', { standby: 1 });
const linuxNewImage = aSpec('linux', { standby: 1, template: { spec: { containers: [{ name: 'agent', image: 'example.com/azp-agent:2' }] } } });
const docker = aSpec('docker', { maxAgents: 5 });

test('a template change rotates every committed pod of the spec; unchanged specs rotate nothing', () => {
  const pods = [aManifest(linux, 'linux-aaaaa1'), aManifest(linux, 'linux-bbbbb2'), aManifest(docker, 'docker-ccccc3')];
  const p = prPreview(repo([linux, docker]), repo([linuxNewImage, docker]), pods, NOW);
  assert.deepEqual(p.specs.map((s) => [s.name, s.kind, s.pods, s.podsLeaving, s.fields]), [
    ['docker', 'unchanged', 1, 0, []],
    ['linux', 'changed', 2, 2, ['pod template']],
  ]);
  const md = previewMarkdown(p);
  assert.match(md, /✅ valid; AgentSpecs: 1 changed; \*\*2 agent pods rotate\*\*\./);
  assert.match(md, /^\| `linux` \| revision `\w+` → `\w+`; pod template \| 2 \| \*\*2 pods rotate\*\*: idle agents are replaced now, busy ones after their job \|$/m);
  assert.match(md, /needs the live pool/, 'offline, the split idle/busy is unknown, and the preview says so');
  assert.doesNotMatch(md, /`docker`/);
});

test('a pod already on the new revision does not rotate (a PR reverting a change, or a re-run)', () => {
  const p = prPreview(repo([linux]), repo([linuxNewImage]), [aManifest(linux, 'linux-aaaaa1'), aManifest(linuxNewImage, 'linux-bbbbb2')], NOW);
  assert.equal(p.specs[0]!.podsLeaving, 1);
});

test('capacity and plain field changes are listed without a rotation when the revision stays', () => {
  const p = prPreview(repo([linux, docker]), repo([linux, aSpec('docker', { maxAgents: 8 })]), [], NOW);
  assert.equal(p.capacityBefore, 15);
  assert.equal(p.capacityAfter, 18);
  const d = p.specs.find((s) => s.name === 'docker')!;
  assert.deepEqual(d.fields, ['maxAgents: 5 → 8']);
  const md = previewMarkdown(p);
  assert.match(md, /Sum of `maxAgents`: 15 → \*\*18\*\*/);
  assert.match(md, /^- `docker`: maxAgents 5 → 8$/m);
});

test('added and removed specs: a removed spec\'s pods leave, an added one starts on demand', () => {
  const gpu = aSpec('gpu', { maxAgents: 2 });
  const p = prPreview(repo([linux, docker]), repo([linux, gpu]), [aManifest(docker, 'docker-ccccc3')], NOW);
  assert.deepEqual(p.specs.map((s) => [s.name, s.kind, s.podsLeaving]), [['docker', 'removed', 1], ['gpu', 'added', 0], ['linux', 'unchanged', 0]]);
  assert.match(previewMarkdown(p), /^\| `docker` \| removed \| 1 \| its 1 pod leaves: idle agents now, busy ones after their job \|$/m);
});

test('a spec the PR breaks is invalid, not removed: nothing leaves while any spec has errors', () => {
  const err: SpecError = { file: 'agentspecs/docker.yaml', field: 'spec.maxAgents', message: 'must be a whole number', hint: 'maxAgents: 5' };
  const p = prPreview(repo([linux, docker]), repo([linux], [err]), [aManifest(docker, 'docker-ccccc3')], NOW);
  assert.deepEqual(p.specs.map((s) => [s.name, s.kind, s.podsLeaving]), [['docker', 'invalid', 0], ['linux', 'unchanged', 0]]);
  const md = previewMarkdown(p);
  assert.match(md, /❌ \*\*1 validation error\*\*/);
  assert.match(md, /^- ❌ agentspecs\/docker\.yaml: spec\.maxAgents: must be a whole number \(maxAgents: 5\)$/m);
});

test('a new standby schedule: the standby in force before and after at each change over the next 7 days', () => {
  const scheduled = aSpec('linux', { standby: 1, standbySchedule: officeHours() });
  const p = prPreview(repo([linux]), repo([scheduled]), [], NOW);
  const rows = p.standby.map((s) => [s.at.toISOString(), s.before, s.after]);
  assert.deepEqual(rows.slice(0, 3), [
    ['2026-03-02T06:00:00.000Z', 1, 1],
    ['2026-03-02T08:00:00.000Z', 1, 4],
    ['2026-03-02T18:00:00.000Z', 1, 1],
  ]);
  assert.equal(rows.length, 1 + 2 * 5, 'now, then 08:00 and 18:00 on five weekdays');
  assert.match(previewMarkdown(p), /^\| 2026-03-02 08:00 Mon \| `linux` \| 1 \| \*\*4\*\* \|$/m);
  assert.deepEqual(prPreview(repo([scheduled]), repo([scheduled]), [], NOW).standby, [], 'an unchanged schedule is not tabled');
});

test('a PR that edits the reconciler\'s agents/ files is flagged', () => {
  const md = previewMarkdown(prPreview(repo([linux]), repo([linux]), [], NOW, { agentsFilesChanged: ['agents/kustomization.yaml'] }));
  assert.match(md, /This PR changes 1 file under `agents\/`, which the reconciler writes: `agents\/kustomization.yaml`/);
});

test('with the live pool, a rotation splits into idle agents (now), busy ones (after their job) and the rest', () => {
  const pods = ['linux-aaaaa1', 'linux-bbbbb2', 'linux-ccccc3', 'linux-ddddd4'].map((n) => aManifest(linux, n));
  const agents = [anAgent('linux-aaaaa1'), anAgent('linux-bbbbb2', { assignedRequestId: 7 }), offlineAgent('linux-ccccc3'), anAgent('other-pool', { poolName: 'elsewhere' })];
  const p = prPreview(repo([linux]), repo([linuxNewImage]), pods, NOW, { agents });
  assert.deepEqual(p.specs[0]!.leavingLive, { idle: 1, busy: 1, other: 2 });
  const md = previewMarkdown(p);
  assert.match(md, /\*\*4 pods rotate\*\*: 1 idle now, 1 busy after its job, 2 not serving \(starting, finished or draining\) as their pods end/);
  assert.doesNotMatch(md, /needs the live pool/);
  assert.match(md, /as the pools showed them when this ran/);
});
