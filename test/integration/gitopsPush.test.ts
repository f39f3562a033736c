// commitAndPush against the sandbox git server: races with people, bounded retries, bounded storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { repoOptionsFor, useSeededGitServer } from '../helpers/gitServer.ts';
import { runGit } from '../../sandbox/git/index.ts';
import type { HttpClient } from 'isomorphic-git';
import httpNode from 'isomorphic-git/http/node';
import { GitRepo, commitAndPush, type GitRepoOptions, type GitLog } from '../../reconciler/gitops/index.ts';
import { GitPushRetriesExhaustedError } from '../../reconciler/errors/gitErrors.ts';

const fx = useSeededGitServer();

const opts = (extra: Partial<GitRepoOptions> = {}): GitRepoOptions => repoOptionsFor(fx, extra);

function captureLog(): GitLog & { lines: string[]; fields: unknown[] } {
  const lines: string[] = [];
  const fields: unknown[] = [];
  return {
    lines, fields,
    info: (m, f) => { lines.push(`INFO ${m}`); fields.push(f); },
    warn: (m, f) => { lines.push(`WARN ${m}`); fields.push(f); },
  };
}

async function countObjects(gitdir: string): Promise<{ loose: number; inPack: number; total: number }> {
  const { stdout } = await runGit(['--git-dir', gitdir, 'count-objects', '-v'], fx.tmp);
  const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(stdout)![1]);
  return { loose: get('count'), inPack: get('in-pack'), total: get('count') + get('in-pack') };
}

test('a person\'s commit pushed between fetch and push survives: re-derived from the new tip, no force', async () => {
  const repo = await GitRepo.open(opts());
  const log = captureLog();
  const seenTips: string[] = [];
  let personCommit = '';
  const r = await commitAndPush(repo, async (tip) => {
    seenTips.push(tip.oid);
    const specs = await tip.readFiles('agentspecs');
    if (seenTips.length === 1) {
      // a person merges an AgentSpec PR while we are deriving
      personCommit = await fx.pushAsPerson({ 'agentspecs/windows.yaml': 'kind: AgentSpec\nmetadata:\n  name: windows\n' }, 'add windows spec');
    }
    // the derived content depends on what the tip holds: re-deriving is the rebase
    return {
      message: `scale: specs seen ${specs.map((f) => path.basename(f.path)).join(',')}\n\n[skip ci]\n`,
      changes: [{ path: 'agents/pods/x/pod-1.yaml', content: `specs: ${specs.length}\n` }],
      specsSeen: specs.map((f) => path.basename(f.path)),
    };
  }, { maxAttempts: 4, jitterMs: 20, log });
  assert.equal(r.pushed, true);
  // what the final attempt derived comes back with the result, typed as derive returned it
  assert.deepEqual(r.derived.specsSeen, ['linux-docker.yaml', 'windows.yaml']);
  assert.equal(r.attempts, 2);
  assert.equal(seenTips.length, 2);
  assert.equal(seenTips[1], personCommit);
  assert.equal(r.tip, personCommit);
  assert.deepEqual(log.lines, ['WARN remote moved, re-deriving (attempt 2/4)']);

  const dir = await fx.cloneTo();
  const { stdout } = await fx.gitCli(['log', '--format=%H %an %s', 'main'], dir);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^${r.commitOid} azdo-gitops scale: specs seen linux-docker.yaml,windows.yaml$`));
  assert.equal(lines[1], `${personCommit} person add windows spec`);
  assert.equal(lines.at(-1)!.endsWith('sandbox seed repository'), true);
  // linear: our commit's only parent is the person's commit
  const parents = await fx.gitCli(['rev-list', '--parents', '-n', '1', r.commitOid!], dir);
  assert.equal(parents.stdout.trim(), `${r.commitOid} ${personCommit}`);
  await rm(dir, { recursive: true, force: true });
});

test('lost race on the server side (moved after discovery, before receive-pack): GitPushError, re-derived', async () => {
  let armed = true;
  let personCommit = '';
  // The person pushes exactly between our push's ref discovery and its pack upload.
  const http: HttpClient = {
    request: async (req) => {
      if (armed && req.method === 'POST' && req.url.endsWith('/git-receive-pack')) {
        armed = false;
        personCommit = await fx.pushAsPerson({ 'people/race.txt': 'race\n' }, 'person wins the race');
      }
      return (httpNode as HttpClient).request(req);
    },
  };
  const repo = await GitRepo.open(opts({ http }));
  const log = captureLog();
  const r = await commitAndPush(repo, async () => ({ message: 'ours after race', changes: [{ path: 'agents/pods/x/race.yaml', content: 'r\n' }] }),
    { maxAttempts: 3, jitterMs: 10, log });
  assert.equal(r.pushed, true);
  assert.equal(r.attempts, 2);
  assert.equal(r.tip, personCommit);
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0]!, /^WARN remote moved, re-deriving \(attempt 2\/3\)$/);
  // the server (not the client-side check) refused it: receive-pack's per-ref error
  const reason = String((log.fields[0] as { reason?: string }).reason);
  assert.match(reason, /refs\/heads\/main/);
  assert.equal(reason.includes('not-fast-forward'), false);
  const subjects = await fx.logSubjects();
  assert.deepEqual(subjects.slice(0, 2), ['ours after race', 'person wins the race']);
});

test('the remote moving on every attempt: GitPushRetriesExhaustedError after maxAttempts, nothing of ours lands', async () => {
  const repo = await GitRepo.open(opts());
  const log = captureLog();
  let calls = 0;
  const err = await commitAndPush(repo, async () => {
    calls++;
    await fx.pushAsPerson({ [`people/p${calls}.txt`]: `${calls}\n` }, `person commit ${calls}`);
    return { message: 'ours', changes: [{ path: 'agents/pods/x/ours.yaml', content: 'x\n' }] };
  }, { maxAttempts: 3, jitterMs: 10, log }).catch((e: Error) => e);
  assert.ok(err instanceof GitPushRetriesExhaustedError, String(err));
  assert.equal(err.attempts, 3);
  assert.match(err.message, /nothing was force-pushed/);
  assert.equal(err.message.includes(fx.token), false);
  assert.equal(calls, 3);
  assert.deepEqual(log.lines, ['WARN remote moved, re-deriving (attempt 2/3)', 'WARN remote moved, re-deriving (attempt 3/3)']);
  const subjects = await fx.logSubjects();
  assert.deepEqual(subjects.slice(0, 3), ['person commit 3', 'person commit 2', 'person commit 1']);
  assert.equal(subjects.includes('ours'), false);
});

test('an aborted signal stops the retry loop', async () => {
  const repo = await GitRepo.open(opts());
  const ac = new AbortController();
  const err = await commitAndPush(repo, async () => {
    await fx.pushAsPerson({ 'people/abort.txt': String(Date.now()) }, 'person before abort');
    ac.abort(new Error('shutting down'));
    return { message: 'ours', changes: [{ path: 'agents/pods/x/abort.yaml', content: 'x\n' }] };
  }, { maxAttempts: 5, jitterMs: 10, signal: ac.signal }).then(() => assert.fail('should abort'), (e: Error) => e);
  assert.equal(err.message, 'shutting down');
});

test('two writers for one repo/branch in one process take turns (mutex): no rejected push', async () => {
  const a = await GitRepo.open(opts());
  const b = await GitRepo.open(opts());
  const la = captureLog();
  const lb = captureLog();
  const derive = (name: string) => async () => ({ message: `writer ${name}`, changes: [{ path: `agents/pods/w/${name}.yaml`, content: `${name}\n` }] });
  const [ra, rb] = await Promise.all([
    commitAndPush(a, derive('a'), { maxAttempts: 3, jitterMs: 10, log: la }),
    commitAndPush(b, derive('b'), { maxAttempts: 3, jitterMs: 10, log: lb }),
  ]);
  assert.equal(ra.pushed && rb.pushed, true);
  assert.equal(ra.attempts + rb.attempts, 2);
  assert.deepEqual([...la.lines, ...lb.lines], []);
  const subjects = await fx.logSubjects();
  assert.deepEqual(new Set(subjects.slice(0, 2)), new Set(['writer a', 'writer b']));
});

test('storage and fetch size stay bounded as history grows (200 commits + 40 passes)', async () => {
  // 200 commits of history by a person, one push
  const work = await fx.cloneTo();
  for (let i = 0; i < 200; i++) {
    await writeFile(path.join(work, 'history.txt'), `line ${i}\n`.repeat(50));
    await runGit(['commit', '-q', '-a', '--allow-empty', '-m', `history ${i}`], work);
    if (i === 0) await runGit(['add', 'history.txt'], work).then(() => runGit(['commit', '-q', '--amend', '--no-edit'], work));
  }
  await fx.gitCli(['push', '-q', 'origin', 'main'], work);
  const full = await fx.cloneTo();
  const fullObjects = await countObjects(path.join(full, '.git'));
  const historyLength = Number((await fx.gitCli(['rev-list', '--count', 'main'], full)).stdout.trim());

  const recloneAfterFetches = 10;
  const repo = await GitRepo.open(opts({ recloneAfterFetches }));
  const cloneBytes = repo.stats.lastFetchBytes;
  const afterClone = await countObjects(repo.stats.gitdir!);

  const perPass: { objects: number; fetchBytes: number; bytesOnDisk: number }[] = [];
  for (let pass = 1; pass <= 40; pass++) {
    if (pass % 5 === 0) await fx.pushAsPerson({ 'history.txt': `person edit ${pass}\n` }, `person edit ${pass}`);
    const r = await commitAndPush(repo, async () => ({
      message: `pass ${pass}`,
      changes: [
        { path: `agents/pods/linux/pod-${pass}.yaml`, content: `kind: Pod\nmetadata:\n  name: pod-${pass}\n` },
        { path: `agents/pods/linux/pod-${pass - 1}.yaml`, content: null },
      ],
    }), { maxAttempts: 3, jitterMs: 10 });
    assert.equal(r.pushed, true);
    const c = await countObjects(repo.stats.gitdir!);
    perPass.push({ objects: c.total, fetchBytes: repo.stats.lastFetchBytes, bytesOnDisk: repo.stats.objectsBytes });
  }
  const maxObjects = Math.max(...perPass.map((p) => p.objects));
  const maxFetch = Math.max(...perPass.map((p) => p.fetchBytes));
  const s = repo.stats;
  // printed for the report
  console.log(JSON.stringify({
    historyLength, fullCloneObjects: fullObjects.total, shallowCloneObjects: afterClone.total, cloneBytes,
    maxObjectsInCacheOverPasses: maxObjects, lastPassObjects: perPass.at(-1)!.objects, maxFetchBytesPerPass: maxFetch,
    maxObjectsBytesOnDisk: Math.max(...perPass.map((p) => p.bytesOnDisk)), clones: s.clones, fetches: s.fetches, upToDate: s.upToDate, pushes: s.pushes,
  }));
  assert.ok(historyLength > 200);
  assert.ok(fullObjects.total > 400, `full clone has ${fullObjects.total} objects`);
  assert.ok(afterClone.total < 40, `shallow clone holds ${afterClone.total} objects`);
  // each pass adds a handful of objects; a re-clone every 10 fetches resets the count
  assert.ok(maxObjects < 40 + recloneAfterFetches * 12, `cache held up to ${maxObjects} objects`);
  assert.ok(maxObjects < fullObjects.total / 2);
  assert.ok(s.clones >= 3, `re-cloned ${s.clones} times`);
  // most passes only ask ls-refs: the remote tip is our own last push
  assert.ok(s.upToDate > s.fetches, `${s.upToDate} ls-refs-only passes vs ${s.fetches} fetches`);
  // per-pass fetch size does not follow history: no fetch is bigger than a shallow clone of the tip
  assert.ok(maxFetch <= cloneBytes * 3, `largest pass fetch ${maxFetch} bytes vs clone ${cloneBytes}`);
  // the shallow cache only ever knows a few commits
  const known = await runGit(['--git-dir', repo.stats.gitdir!, 'rev-list', '--count', 'refs/remotes/origin/main'], fx.tmp);
  assert.ok(Number(known.stdout.trim()) <= recloneAfterFetches * 2 + 1, `cache knows ${known.stdout.trim()} commits`);
  await rm(work, { recursive: true, force: true });
  await rm(full, { recursive: true, force: true });
});

test('a fetchedTip is derived from without fetching again; once the remote moved past it, the push is rejected and the next attempt fetches', async () => {
  const repo = await GitRepo.open(opts());
  const first = await repo.fetchTip();
  // Nothing moved: one attempt, no second fetch.
  const fetchesBefore = repo.stats.upToDate + repo.stats.fetches;
  const r1 = await commitAndPush(repo, async (tip) => ({ message: 'one\n', changes: [{ path: 'agents/pods/x/known-1.yaml', content: `from ${tip.oid}\n` }] }),
    { maxAttempts: 3, jitterMs: 10, fetchedTip: first });
  assert.equal(r1.attempts, 1);
  assert.equal(r1.tip, first);
  assert.equal(repo.stats.upToDate + repo.stats.fetches, fetchesBefore, 'the first attempt did not ask the remote for its tip');
  // A person pushes after our fetch: the stale tip's push is refused, never forced; theirs survives.
  const stale = await repo.fetchTip();
  const person = await fx.pushAsPerson({ 'docs/person.md': 'mine\n' }, 'a person');
  const log = captureLog();
  const r2 = await commitAndPush(repo, async (tip) => ({ message: 'two\n', changes: [{ path: 'agents/pods/x/known-2.yaml', content: `from ${tip.oid}\n` }] }),
    { maxAttempts: 3, jitterMs: 10, log, fetchedTip: stale });
  assert.equal(r2.attempts, 2);
  assert.equal(r2.tip, person);
  assert.deepEqual(log.lines, ['WARN remote moved, re-deriving (attempt 2/3)']);
  const clone = await fx.cloneTo();
  await fx.gitCli(['merge-base', '--is-ancestor', person, 'origin/main'], clone);
});
