// The verdict of `validate` on every document of the shared corpus (test/fixtures/specCorpus.ts),
// each judged beside cluster-repo-example's running specs; the real API server must reach the
// same verdicts with the generated CRD (test/realcluster/specCorpusParity.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LAYOUT, checkClusterRepo } from '../../reconciler/manifests/validateRepo.ts';
import { SPEC_CORPUS, type CorpusSpec } from '../fixtures/specCorpus.ts';
import { runningExampleRepo } from '../helpers/badSpecRepo.ts';

async function judge(doc: CorpusSpec): Promise<{ valid: boolean; errors: string[] }> {
  const example = await runningExampleRepo();
  let files = [...example, { path: doc.path, content: doc.content }];
  const layout = doc.templatesPath ? { ...DEFAULT_LAYOUT, templatesPath: doc.templatesPath } : DEFAULT_LAYOUT;
  if (doc.templatesPath) {
    // The example's specs name templates/: here only the template, moved, and the document.
    const moved = example.filter((f) => f.path.startsWith('templates/')).map((f) => ({ ...f, path: `${doc.templatesPath}/${f.path.slice('templates/'.length)}` }));
    files = [...moved, { path: doc.path, content: doc.content }];
  }
  const r = checkClusterRepo(files, layout);
  const mine = r.errors.filter((e) => e.file.startsWith(doc.path));
  assert.deepEqual(r.errors.filter((e) => !e.file.startsWith(doc.path)), [], `${doc.path}: the example specs stay valid beside it`);
  return { valid: mine.length === 0, errors: mine.map((e) => `${e.field}: ${e.message}`.slice(0, 200)) };
}

test('validate gives every corpus document its verdict (valid or not), the verdict the API server must give too', async () => {
  const wrong: string[] = [];
  for (const doc of SPEC_CORPUS) {
    const { valid, errors } = await judge(doc);
    if (valid !== doc.valid) wrong.push(`${doc.path}: expected ${doc.valid ? 'valid' : 'invalid'}, got ${valid ? 'valid' : JSON.stringify(errors)}`);
  }
  assert.deepEqual(wrong, []);
});

test('the corpus holds good and bad documents, each in its own file', () => {
  assert.equal(new Set(SPEC_CORPUS.map((d) => d.path)).size, SPEC_CORPUS.length);
  assert.ok(SPEC_CORPUS.filter((d) => d.valid).length >= 15, 'good documents');
  assert.ok(SPEC_CORPUS.filter((d) => !d.valid).length >= 70, 'bad documents');
  assert.ok(SPEC_CORPUS.every((d) => d.valid === false || d.crdBlindSpot === undefined), 'a blind spot only ever excuses the CRD accepting a bad document');
});
