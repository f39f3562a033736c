import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConflicts, type PoolAgentLike, type RunningManifest, type SpecCandidate } from '../../reconciler/agentspec/specConflicts.ts';
import { aSpec, type SpecInit } from '../helpers/fixtures.ts';

const candidate = (file: string, name: string, init: SpecInit = {}): SpecCandidate => ({ spec: aSpec(name, { ...init, file }), errorFile: file, warnings: [] });
const pod = (c: SpecCandidate, suffix = 'abc12', revision = c.spec.revision): RunningManifest => ({ podName: `${c.spec.prefix}-${suffix}`, specName: c.spec.name, specRevision: revision });

test('a newcomer with the name of a running spec is rejected even when its file sorts first', () => {
  const live = candidate('agentspecs/linux.yaml', 'linux');
  const newcomer = candidate('agentspecs/a-linux.yaml', 'linux', { pool: 'other-pool' });
  const r = resolveConflicts([newcomer, live], { manifests: [pod(live)] });
  assert.deepEqual(r.specs.map((s) => s.file), ['agentspecs/linux.yaml']);
  assert.deepEqual(r.errors.map((e) => [e.file, e.field]), [['agentspecs/a-linux.yaml', 'metadata.name']]);
  assert.match(r.errors[0]!.message, /already defined in agentspecs\/linux\.yaml, which is already in use/);
});

test('a newcomer with the prefix of a running spec is rejected; the running spec keeps its prefix', () => {
  const live = candidate('agentspecs/docker.yaml', 'docker');
  const newcomer = candidate('agentspecs/builder.yaml', 'builder', { prefix: 'docker' });
  const r = resolveConflicts([newcomer, live], { manifests: [pod(live)] });
  assert.deepEqual(r.specs.map((s) => s.name), ['docker']);
  assert.equal(r.errors[0]!.file, 'agentspecs/builder.yaml');
  assert.equal(r.errors[0]!.field, 'spec.prefix');
  assert.match(r.errors[0]!.message, /already used by AgentSpec docker \(agentspecs\/docker\.yaml\)/);
});

test('the file whose exact revision rendered the pods wins over one that shares name and prefix', () => {
  const live = candidate('agentspecs/z-linux.yaml', 'linux');
  const copy = candidate('agentspecs/a-linux.yaml', 'linux', { pool: 'p2' });
  assert.notEqual(live.spec.revision, copy.spec.revision);
  const r = resolveConflicts([copy, live], { manifests: [pod(live)] });
  assert.deepEqual(r.specs.map((s) => s.file), ['agentspecs/z-linux.yaml']);
});

test('pods of an earlier revision still count as owned (the live spec was edited since)', () => {
  const live = candidate('agentspecs/z-linux.yaml', 'linux');
  const newcomer = candidate('agentspecs/a-linux.yaml', 'linux', { prefix: 'fresh' });
  const r = resolveConflicts([newcomer, live], { manifests: [pod(live, 'abc12', 'oldrevision')] });
  assert.deepEqual(r.specs.map((s) => s.file), ['agentspecs/z-linux.yaml']);
});

test('with nothing running, the file that sorts first wins and the other names it', () => {
  const a = candidate('agentspecs/a.yaml', 'one', { prefix: 'shared' });
  const b = candidate('agentspecs/b.yaml', 'two', { prefix: 'shared' });
  const r = resolveConflicts([a, b], {});
  assert.deepEqual(r.specs.map((s) => s.name), ['one']);
  assert.deepEqual(r.errors.map((e) => e.file), ['agentspecs/b.yaml']);
  assert.match(r.errors[0]!.message, /already used by AgentSpec one \(agentspecs\/a\.yaml\); this spec is ignored/);
});

test('accepted specs keep file order; errors come in file order too', () => {
  const live = candidate('agentspecs/m.yaml', 'm');
  const specs = [candidate('agentspecs/a.yaml', 'm', { prefix: 'x1' }), candidate('agentspecs/b.yaml', 'b'), live, candidate('agentspecs/c.yaml', 'c', { prefix: 'm' })];
  const r = resolveConflicts(specs, { manifests: [pod(live)] });
  assert.deepEqual(r.specs.map((s) => s.file), ['agentspecs/b.yaml', 'agentspecs/m.yaml']);
  assert.deepEqual(r.errors.map((e) => e.file), ['agentspecs/a.yaml', 'agentspecs/c.yaml']);
});

const placeholder = (c: SpecCandidate, caps: Record<string, string> = {}): PoolAgentLike => ({
  name: `${c.spec.prefix}-placeholder`,
  poolName: c.spec.pool,
  userCapabilities: { 'azdo-gitops.placeholder': c.spec.name, ...caps },
});

test('a spec scaled to zero keeps its prefix through its placeholder agent', () => {
  const live = candidate('agentspecs/docker.yaml', 'docker');
  const newcomer = candidate('agentspecs/a-builder.yaml', 'a-builder', { prefix: 'docker' });
  const r = resolveConflicts([newcomer, live], { agents: [placeholder(live)] });
  assert.deepEqual(r.specs.map((s) => s.file), ['agentspecs/docker.yaml']);
  assert.match(r.errors[0]!.message, /already used by AgentSpec docker \(agentspecs\/docker\.yaml\), which is already in use/);
});

test('a placeholder counts only for the spec it was registered for, in its pool', () => {
  const live = candidate('agentspecs/z.yaml', 'linux', { capabilities: ['docker'] });
  const otherPool = candidate('agentspecs/a.yaml', 'linux', { pool: 'elsewhere', capabilities: ['docker'] });
  assert.deepEqual(resolveConflicts([otherPool, live], { agents: [placeholder(live, { docker: 'true' })] }).specs.map((s) => s.file), ['agentspecs/z.yaml']);
  const sameButEdited = candidate('agentspecs/a.yaml', 'linux', { capabilities: ['java=17'] });
  assert.deepEqual(resolveConflicts([sameButEdited, live], { agents: [placeholder(live, { docker: 'true' })] }).specs.map((s) => s.file), ['agentspecs/z.yaml'], 'exact capabilities beat a stale match');
});

test('running pods outrank a placeholder', () => {
  const withPods = candidate('agentspecs/z.yaml', 'linux');
  const withPlaceholder = candidate('agentspecs/a.yaml', 'linux', { capabilities: ['x'] });
  assert.deepEqual(resolveConflicts([withPlaceholder, withPods], { manifests: [pod(withPods)], agents: [placeholder(withPlaceholder, { x: 'true' })] }).specs.map((s) => s.file), ['agentspecs/z.yaml']);
});

test('a spec losing its prefix is named on the error (its AgentSpec in the cluster reports it); a duplicate name is not (that AgentSpec is in use)', () => {
  const prefix = resolveConflicts([candidate('agentspecs/a.yaml', 'one', { prefix: 'shared' }), candidate('agentspecs/b.yaml', 'two', { prefix: 'shared' })], {});
  assert.equal(prefix.errors[0]!.specName, 'two');
  const name = resolveConflicts([candidate('agentspecs/a.yaml', 'same', { prefix: 'p1' }), candidate('agentspecs/b.yaml', 'same', { prefix: 'p2' })], {});
  assert.equal(name.errors.length, 1);
  assert.equal(name.errors[0]!.specName, undefined);
});
