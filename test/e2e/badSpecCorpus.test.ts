// `validate --json` on a cluster repo holding the whole bad-spec corpus beside the good specs:
// one run, every file judged on its own, each with the error the corpus expects.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SpecError } from '../../reconciler/agentspec/specError.ts';
import { BAD_SPECS, FAKE_NEW_PAT, FAKE_PAT, RISKY_SPEC } from '../fixtures/badSpecs.ts';
import { corpusRepo, writeRepo } from '../helpers/badSpecRepo.ts';
import { runCli } from '../helpers/runCli.ts';
import { SOURCE_ENTRY } from '../helpers/world.ts';

interface ValidateJson {
  ok: boolean;
  specs: { name: string; file: string }[];
  errors: SpecError[];
  warnings: SpecError[];
}

describe('validate --json on the bad-spec corpus', () => {
  it('names each bad file with its field and problem, keeps the good specs, and echoes no secret', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-corpus-'));
    try {
      await writeRepo(dir, await corpusRepo());
      const env = { PATH: process.env.PATH, HOME: process.env.HOME };
      const r = await runCli(SOURCE_ENTRY, ['validate', dir, '--json'], { env, timeoutMs: 60_000 });
      t.diagnostic(`validate of ${BAD_SPECS.length + 2} corpus files beside the example: ${r.ms} ms (process start included)`);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as ValidateJson;
      assert.equal(out.ok, false);
      for (const b of BAD_SPECS) {
        const file = b.errorFile ?? b.path;
        const mine = out.errors.filter((e) => e.file === file);
        assert.ok(mine.some((e) => e.field === b.field && b.message.test(e.message)), `${file}: expected ${b.field || '(document)'} ${b.message}, got ${JSON.stringify(mine.map((e) => [e.field, e.message.slice(0, 160)]))}`);
      }
      assert.deepEqual(out.specs.map((s) => s.name).sort(), ['doc-one', 'docker', 'linux', 'no-context', 'risky']);
      assert.equal(out.specs.find((s) => s.name === 'linux')?.file, 'agentspecs/linux.yaml');
      assert.deepEqual(out.warnings.filter((w) => w.file === RISKY_SPEC.path).map((w) => w.field).sort(), [...RISKY_SPEC.warningFields].sort());
      for (const secret of [FAKE_PAT, FAKE_NEW_PAT, 'hunter2']) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'no secret value in the output');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes the shipped example without warnings, and --strict fails on warnings alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-corpus-'));
    try {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME };
      await writeRepo(dir, [...(await corpusRepo()).filter((f) => !f.path.startsWith('agentspecs/') || ['agentspecs/linux.yaml', 'agentspecs/docker.yaml'].includes(f.path))]);
      const clean = await runCli(SOURCE_ENTRY, ['validate', dir, '--json', '--strict'], { env, timeoutMs: 60_000 });
      assert.equal(clean.code, 0, clean.stdout);
      assert.deepEqual((JSON.parse(clean.stdout) as ValidateJson).warnings, []);
      await writeRepo(dir, [{ path: RISKY_SPEC.path, content: RISKY_SPEC.content }]);
      const lenient = await runCli(SOURCE_ENTRY, ['validate', dir], { env, timeoutMs: 60_000 });
      assert.equal(lenient.code, 0, lenient.stdout);
      assert.match(lenient.stdout, /^warning: agentspecs\/risky\.yaml: spec\.template\.spec\.hostNetwork: is true/m);
      const strict = await runCli(SOURCE_ENTRY, ['validate', dir, '--strict'], { env, timeoutMs: 60_000 });
      assert.equal(strict.code, 1);
      assert.match(strict.stdout, /6 warning\(s\) \(--strict: failing\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
