// Job wait (queued → received by an agent) for the demo's job trace, on a quiet cluster repo and
// with a person pushing a commit every 500 ms to the same branch. The reconciler loses push races
// to the person; each lost race is re-derived at once, so the wait should barely move.
// Prints a Markdown table. Run: npx node bench/contention.ts [rounds]
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoSummary } from '../sandbox/demo/runDemo.ts';
import { runGit } from '../sandbox/git/index.ts';
import { startSandbox, type Sandbox } from '../sandbox/index.ts';
import { median, table } from './wireBytes.ts';

const PERSON_EVERY_MS = 500;
const ROUNDS = Number(process.argv[2] ?? 2);

interface Pusher {
  /** Stops pushing; resolves with the number of commits the person pushed. */
  stop(): Promise<number>;
}

/** A person committing to the cluster repo every `everyMs`, pulling (rebase) when the push is rejected. */
async function startPerson(sandbox: Sandbox, everyMs: number): Promise<Pusher> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-person-'));
  const auth = `Authorization: Basic ${Buffer.from(`${sandbox.info.gitUsername}:${sandbox.info.gitToken}`).toString('base64')}`;
  const env = {
    GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: auth,
    GIT_AUTHOR_NAME: 'person', GIT_AUTHOR_EMAIL: 'person@example.com', GIT_COMMITTER_NAME: 'person', GIT_COMMITTER_EMAIL: 'person@example.com',
  };
  const git = (args: string[]) => runGit(args, join(dir, 'repo'), env);
  await runGit(['clone', '--quiet', sandbox.info.gitUrl, join(dir, 'repo')], dir, env);
  let stopped = false;
  let pushed = 0;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const next = Date.now() + everyMs;
      await writeFile(join(dir, 'repo', 'NOTES.md'), `note ${i}\n`);
      await git(['commit', '--quiet', '-am', `notes: ${i}`]).catch(async () => {
        await git(['add', 'NOTES.md']);
        await git(['commit', '--quiet', '-m', `notes: ${i}`]);
      });
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          await git(['push', '--quiet', 'origin', 'HEAD:main']);
          pushed++;
          break;
        } catch {
          await git(['pull', '--quiet', '--rebase', 'origin', 'main']);
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await rm(dir, { recursive: true, force: true });
      return pushed;
    },
  };
}

async function round(contended: boolean): Promise<{ s: DemoSummary; personCommits: number; lostRaces: number; failedPasses: number }> {
  const sandbox = await startSandbox();
  try {
    const person = contended ? await startPerson(sandbox, PERSON_EVERY_MS) : undefined;
    const s = await runDemo({ sandbox, timeoutMs: 240_000 });
    const personCommits = (await person?.stop()) ?? 0;
    const log = await readFile(s.logFile, 'utf8');
    return {
      s,
      personCommits,
      lostRaces: (log.match(/remote moved, re-deriving/g) ?? []).length,
      failedPasses: (log.match(/"pass failed/g) ?? []).length,
    };
  } finally {
    await sandbox.close();
  }
}

const rows: (string | number)[][] = [['cluster repo', 'round', 'jobs', 'wait p50 s', 'wait p95 s', 'person commits', 'lost push races', 'failed passes', 'settled']];
const p95s: Record<string, number[]> = { quiet: [], contended: [] };
for (let r = 1; r <= ROUNDS; r++) {
  for (const contended of [false, true]) {
    process.stderr.write(`round ${r}: ${contended ? 'a person pushing every 0.5 s' : 'quiet'}…\n`);
    const { s, personCommits, lostRaces, failedPasses } = await round(contended);
    p95s[contended ? 'contended' : 'quiet']!.push(s.jobWaitSeconds.p95);
    rows.push([contended ? 'person every 0.5 s' : 'quiet', r, s.jobsQueued, s.jobWaitSeconds.p50, s.jobWaitSeconds.p95, personCommits, lostRaces, failedPasses, String(s.settled)]);
  }
}
process.stdout.write(table(rows) + '\n\n');
const ratio = median(p95s.contended!) / Math.max(0.01, median(p95s.quiet!));
process.stdout.write(`median job wait p95: quiet ${median(p95s.quiet!)} s, contended ${median(p95s.contended!)} s (×${ratio.toFixed(2)})\n`);
