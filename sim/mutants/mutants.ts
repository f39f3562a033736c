// The mutation harness's mutants: each a historical or plausible bug in a safety rule, kept as a
// unified diff against the current tree (sim/mutants/<name>.patch, its description above the
// diff). A mutant is applied to a copy of the repository, never to the working tree.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MUTANTS_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(MUTANTS_DIR, '..', '..');

/** The one workload of the harness, the same for every mutant: `npm run sim`'s defaults, every fault kind. */
export const HARNESS_WORKLOAD = ['--faults', 'all', '--active-minutes', '20', '--jobs-per-minute', '1.5'] as const;

/** What hunt.ts prints: the first violation within the budget, or nulls. */
export interface HuntResult {
  readonly seedsRun: number;
  readonly firstSeed: number | null;
  readonly invariant: string | null;
  readonly detail: string | null;
}

/** node's arguments for hunt.ts inside a (mutated) copy `dir`: seeds first..first+budget-1 of the harness workload. */
export function huntArgs(dir: string, first: number, budget: number): string[] {
  return [join(dir, 'sim/mutants/hunt.ts'), '--seed', String(first), '--budget', String(budget), ...HARNESS_WORKLOAD];
}

export function parseHunt(stdout: string): HuntResult {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as HuntResult;
}

export interface Mutant {
  readonly name: string;
  readonly patchPath: string;
  /** The text above the diff: what the mutant breaks. */
  readonly description: string;
}

export function listMutants(): Mutant[] {
  return readdirSync(MUTANTS_DIR)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => {
      const patchPath = join(MUTANTS_DIR, f);
      const text = readFileSync(patchPath, 'utf8');
      return { name: f.slice(0, -'.patch'.length), patchPath, description: text.slice(0, Math.max(0, text.indexOf('diff --git'))).trim().replace(/\s+/g, ' ') };
    });
}

export function mutantNamed(name: string): Mutant {
  const m = listMutants().find((x) => x.name === name);
  if (!m) throw new Error(`no mutant "${name}": the mutants are ${listMutants().map((x) => x.name).join(', ')} (sim/mutants/*.patch)`);
  return m;
}

/**
 * A copy of the repository's files (tracked and untracked, not ignored: the working tree as it
 * is) in a temporary directory, node_modules linked, with the mutant's patch applied (none: the
 * code as it is). The caller removes it with `dispose`.
 */
export function mutatedCopy(mutant: Mutant | undefined): { readonly dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `azdo-gitops-mutant-${mutant?.name ?? 'none'}-`));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\0')
      .filter((f) => f !== '' && f !== 'node_modules' && !f.startsWith('node_modules/'));
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      try {
        cpSync(join(REPO_ROOT, f), join(dir, f));
      } catch (err) {
        // A tracked file deleted in the working tree is not part of the tree being tested.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    if (mutant) {
      try {
        execFileSync('git', ['apply', '--whitespace=nowarn', mutant.patchPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        throw new Error(`mutant ${mutant.name} no longer applies to the current tree (${String((err as { stderr?: Buffer }).stderr ?? err).trim()}); re-create ${mutant.patchPath} against today's code`);
      }
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { dir, dispose };
}
