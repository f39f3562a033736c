import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClusterRepo } from '../../reconciler/manifests/validateRepo.ts';
import { BAD_SPECS, FAKE_NEW_PAT, FAKE_PAT, NO_CONTEXT_SPEC, RISKY_SPEC } from '../fixtures/badSpecs.ts';
import { corpusRepo } from '../helpers/badSpecRepo.ts';

test('the corpus has at least 30 bad specs, each in its own file', () => {
  assert.ok(BAD_SPECS.length >= 30, `${BAD_SPECS.length} bad specs`);
  assert.equal(new Set(BAD_SPECS.map((b) => b.path)).size, BAD_SPECS.length);
});

test('every bad spec beside the good ones gets its precise error; the good and risky specs stay valid', async (t) => {
  const files = await corpusRepo();
  const started = performance.now();
  const r = checkClusterRepo(files);
  t.diagnostic(`judged ${files.length} files in ${(performance.now() - started).toFixed(0)} ms`);
  for (const b of BAD_SPECS) {
    const file = b.errorFile ?? b.path;
    const mine = r.errors.filter((e) => e.file === file);
    assert.ok(
      mine.some((e) => e.field === b.field && b.message.test(e.message)),
      `${file}: expected ${b.field || '(document)'} ${b.message}, got ${JSON.stringify(mine.map((e) => [e.field, e.message.slice(0, 160)]))}`,
    );
    assert.ok(mine.every((e) => e.hint.length > 0), `${file}: every error says what would be right`);
  }
  const known = new Set(BAD_SPECS.map((b) => b.errorFile ?? b.path));
  assert.deepEqual(r.errors.filter((e) => !known.has(e.file)), [], 'no error for a file outside the corpus');
  assert.deepEqual(r.specs.map((s) => s.name).sort(), ['doc-one', 'docker', 'linux', 'no-context', 'risky']);
  assert.equal(r.specs.find((s) => s.name === 'linux')!.file, 'agentspecs/linux.yaml', 'the running linux spec keeps its name');
  assert.equal(r.specs.find((s) => s.name === 'docker')!.file, 'agentspecs/docker.yaml', 'the running docker spec keeps its prefix');
});

test('no error ever echoes a secret value', async () => {
  const r = checkClusterRepo(await corpusRepo());
  const text = JSON.stringify(r.errors);
  for (const secret of [FAKE_PAT, FAKE_NEW_PAT, 'hunter2']) assert.ok(!text.includes(secret), `${secret.slice(0, 8)}... is not in any error`);
});

test('risky pod settings are warnings on the accepted spec, not errors', async () => {
  const r = checkClusterRepo(await corpusRepo());
  assert.deepEqual(r.warnings.filter((w) => w.file === RISKY_SPEC.path).map((w) => w.field).sort(), [...RISKY_SPEC.warningFields].sort());
  assert.deepEqual(r.warnings.filter((w) => w.file === NO_CONTEXT_SPEC.path).map((w) => w.field), NO_CONTEXT_SPEC.warningFields);
  assert.deepEqual(r.warnings.filter((w) => w.file !== RISKY_SPEC.path && w.file !== NO_CONTEXT_SPEC.path), [], 'the example specs are not risky');
});
