// GitRepo against the sandbox git server over real HTTP, checked with the real git CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { repoOptionsFor, useSeededGitServer } from '../helpers/gitServer.ts';
import { startGitServer } from '../../sandbox/git/index.ts';
import { GitRepo, commitAndPush, formatCommitMessage, parseTrailers, type GitRepoOptions } from '../../reconciler/gitops/index.ts';
import { GitAuthError, GitUnreachableError } from '../../reconciler/errors/gitErrors.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';

const fx = useSeededGitServer();

const opts = (extra: Partial<GitRepoOptions> = {}): GitRepoOptions => repoOptionsFor(fx, extra);

const emptyPlan: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };

test('readFiles at the tip: recursive, sorted, repo-relative; missing dir gives []', async () => {
  const repo = await GitRepo.open(opts());
  const tip = await repo.fetchTip();
  const { stdout } = await fx.gitCli(['ls-remote', fx.repoUrl, 'refs/heads/main']);
  assert.equal(tip, stdout.split('\t')[0]);
  const agents = await repo.readFiles(tip, 'agents');
  assert.deepEqual(agents.map((f) => f.path), ['agents/kustomization.yaml', 'agents/sentinel.yaml']);
  assert.match(agents[1]!.content, /azdo-gitops-sentinel/);
  assert.deepEqual((await repo.readFiles(tip, 'agentspecs/')).map((f) => f.path), ['agentspecs/linux-docker.yaml']);
  assert.deepEqual(await repo.readFiles(tip, 'nope/deeper'), []);
  assert.equal((await repo.readFiles(tip, '')).length, 5);
  assert.equal(await repo.readFile(tip, 'README.md'), '# cluster repo\n');
});

test('a commit with nested tree edits shows in a real clone and git log; empty subtrees dropped; trailers parse', async () => {
  const repo = await GitRepo.open(opts());
  const plan: Plan = {
    ...emptyPlan,
    add: [
      { podName: 'linux-docker-aaaa1', specName: 'linux-docker', reason: 'pending-jobs', jobRequestIds: [101] },
      { podName: 'linux-docker-bbbb2', specName: 'linux-docker', reason: 'pending-jobs', jobRequestIds: [102] },
    ],
  };
  const message = formatCommitMessage(plan, 'pass-1');
  const r1 = await commitAndPush(repo, async () => ({
    message,
    changes: [
      { path: 'agents/pods/linux-docker/linux-docker-aaaa1.yaml', content: 'kind: Pod\nmetadata:\n  name: linux-docker-aaaa1\n' },
      { path: 'agents/pods/linux-docker/linux-docker-bbbb2.yaml', content: 'kind: Pod\nmetadata:\n  name: linux-docker-bbbb2\n' },
      { path: 'README.md', content: null },
    ],
  }), { maxAttempts: 3, jitterMs: 10 });
  assert.equal(r1.pushed, true);
  assert.equal(r1.attempts, 1);

  const dir = await fx.cloneTo();
  assert.equal(await readFile(path.join(dir, 'agents/pods/linux-docker/linux-docker-aaaa1.yaml'), 'utf8'), 'kind: Pod\nmetadata:\n  name: linux-docker-aaaa1\n');
  await assert.rejects(readFile(path.join(dir, 'README.md')));
  const log = await fx.gitCli(['log', '-1', '--format=%an <%ae>%n%P%n%B', 'main'], dir);
  const [author, parents, ...body] = log.stdout.split('\n');
  assert.equal(author, 'azdo-gitops <azdo-gitops@example.com>');
  assert.equal(parents, r1.tip);
  assert.equal(body[0], 'scale linux-docker: +2 agents for jobs 101,102');
  const bodyText = body.join('\n');
  assert.match(bodyText, /\[skip ci\]/);
  assert.match(bodyText, /\*\*\*NO_CI\*\*\*/);
  // git itself recognizes the trailers
  const trailers = await fx.gitCli(['log', '-1', '--format=%(trailers:only,unfold)', 'main'], dir);
  assert.match(trailers.stdout, /^Azdo-Gitops-Added: linux-docker-aaaa1,linux-docker-bbbb2$/m);
  assert.match(trailers.stdout, /^Azdo-Gitops-Job-Requests: 101,102$/m);
  assert.match(trailers.stdout, /^Azdo-Gitops-Pass: pass-1$/m);
  assert.deepEqual(parseTrailers(log.stdout), { added: ['linux-docker-aaaa1', 'linux-docker-bbbb2'], removed: [], jobRequestIds: [101, 102], ranJobRequestIds: [], passId: 'pass-1' });
  await fx.gitCli(['fsck', '--strict', '--no-progress'], dir);

  // delete both pods: the now-empty pods/ subtree disappears, agents/ stays
  const r2 = await commitAndPush(repo, async () => ({
    message: formatCommitMessage({ ...emptyPlan, remove: [
      { path: 'agents/pods/linux-docker/linux-docker-aaaa1.yaml', podName: 'linux-docker-aaaa1', specName: 'linux-docker', reason: 'pod-succeeded', agentId: undefined },
      { path: 'agents/pods/linux-docker/linux-docker-bbbb2.yaml', podName: 'linux-docker-bbbb2', specName: 'linux-docker', reason: 'scale-down', agentId: 7 },
    ] }, 'pass-2'),
    changes: [
      { path: 'agents/pods/linux-docker/linux-docker-aaaa1.yaml', content: null },
      { path: 'agents/pods/linux-docker/linux-docker-bbbb2.yaml', content: null },
    ],
  }), { maxAttempts: 3, jitterMs: 10 });
  assert.equal(r2.pushed, true);
  const after2 = await repo.fetchTip();
  assert.deepEqual((await repo.readFiles(after2, 'agents')).map((f) => f.path), ['agents/kustomization.yaml', 'agents/sentinel.yaml']);
  const dir2 = await fx.cloneTo();
  const ls = await fx.gitCli(['ls-tree', '-r', '-t', '--name-only', 'HEAD', 'agents'], dir2);
  assert.deepEqual(ls.stdout.trim().split('\n'), ['agents', 'agents/kustomization.yaml', 'agents/sentinel.yaml']);
  const subj = await fx.gitCli(['log', '-1', '--format=%s'], dir2);
  assert.equal(subj.stdout.trim(), 'scale linux-docker: -1 finished, -1 idle');
  await fx.gitCli(['fsck', '--strict', '--no-progress'], dir2);
  await rm(dir, { recursive: true, force: true });
  await rm(dir2, { recursive: true, force: true });
});

test('no changes, or changes that leave the tree as it is: no commit', async () => {
  const repo = await GitRepo.open(opts());
  const before = await repo.fetchTip();
  const sentinel = (await repo.readFile(before, 'agents/sentinel.yaml'))!;
  const r0 = await commitAndPush(repo, async () => null, { maxAttempts: 2, jitterMs: 10 });
  assert.deepEqual(r0, { pushed: false, attempts: 1, tip: before, derived: null });
  const r1 = await commitAndPush(repo, async () => ({
    message: 'noop',
    changes: [{ path: 'agents/sentinel.yaml', content: sentinel }, { path: 'does/not/exist.yaml', content: null }],
  }), { maxAttempts: 2, jitterMs: 10 });
  assert.equal(r1.pushed, false);
  assert.equal(await repo.fetchTip(), before);
});

test('a corrupt cache dir is replaced by a fresh clone', async () => {
  const o = opts();
  const repo = await GitRepo.open(o);
  const tip = await repo.fetchTip();
  const gitdir = repo.stats.gitdir!;
  await rm(path.join(gitdir, 'objects'), { recursive: true, force: true });
  const again = await GitRepo.open(o);
  assert.equal(again.stats.clones, 1);
  assert.notEqual(again.stats.gitdir, gitdir);
  assert.equal(await again.fetchTip(), tip);
  assert.equal((await again.readFiles(tip, 'agents')).length >= 2, true);
  // garbage in CURRENT: same
  await writeFile(path.join(o.dir, 'CURRENT'), 'garbage\n');
  const third = await GitRepo.open(o);
  assert.equal(third.stats.clones, 1);
  assert.equal(await third.fetchTip(), tip);
});

test('wrong token: GitAuthError naming the env var, no token in the message', async () => {
  const secret = 'wrong-token-zz9-plural-z-alpha';
  const err = await GitRepo.open(opts({ auth: { username: fx.username, token: secret } })).then(
    () => assert.fail('open should fail'),
    (e: unknown) => e as Error,
  );
  assert.ok(err instanceof GitAuthError, String(err));
  assert.equal(err.statusCode, 401);
  assert.match(err.message, /GIT_TOKEN/);
  const b64 = Buffer.from(`${fx.username}:${secret}`).toString('base64');
  for (const s of [secret, b64, fx.token]) assert.equal(err.message.includes(s), false);
  assert.equal(JSON.stringify(err).includes(secret), false);
  // credentials in the URL are stripped too
  const urlErr = await GitRepo.open(opts({ url: fx.repoUrl.replace('http://', `http://u:${secret}@`), auth: { username: fx.username, token: secret } })).catch((e: Error) => e);
  assert.ok(urlErr instanceof Error);
  assert.equal(urlErr.message.includes(secret), false);
});

test('unreachable remote: GitUnreachableError', async () => {
  const dead = await startGitServer({ username: 'u', token: 'tttt' });
  const url = dead.repoUrl('gone');
  await dead.close();
  const err = await GitRepo.open(opts({ url })).catch((e: Error) => e);
  assert.ok(err instanceof GitUnreachableError, String(err));
  assert.match(err.message, /unreachable/);
});

test('readFiles of a later commit returns the same file objects for unchanged blobs and new ones for changed files', async () => {
  const repo = await GitRepo.open(opts());
  const base = await repo.fetchTip();
  const before = await repo.readFiles(base, 'agents');
  const r = await commitAndPush(repo, async () => ({
    message: 'add one pod',
    changes: [
      { path: 'agents/pods/a/a-1.yaml', content: 'kind: Pod\nmetadata:\n  name: a-1\n' },
      { path: 'agents/pods/b/b-1.yaml', content: 'kind: Pod\nmetadata:\n  name: b-1\n' },
    ],
  }), { maxAttempts: 3, jitterMs: 10 });
  const first = await repo.readFiles(r.commitOid!, 'agents');
  const sentinel = (files: readonly { path: string }[]) => files.find((f) => f.path === 'agents/sentinel.yaml');
  assert.equal(sentinel(first), sentinel(before), 'unchanged blob: the same object, not read again');
  const r2 = await commitAndPush(repo, async () => ({
    message: 'change one pod',
    changes: [{ path: 'agents/pods/b/b-1.yaml', content: 'kind: Pod\nmetadata:\n  name: b-1\n  labels: {x: y}\n' }],
  }), { maxAttempts: 3, jitterMs: 10 });
  const second = await repo.readFiles(r2.commitOid!, 'agents');
  const byPath = (files: readonly { path: string; content: string }[], p: string) => files.find((f) => f.path === p);
  assert.equal(byPath(second, 'agents/pods/a/a-1.yaml'), byPath(first, 'agents/pods/a/a-1.yaml'), 'unchanged subtree reused by id');
  assert.notEqual(byPath(second, 'agents/pods/b/b-1.yaml'), byPath(first, 'agents/pods/b/b-1.yaml'));
  assert.match(byPath(second, 'agents/pods/b/b-1.yaml')!.content, /labels/);
  // Reading the older commit again gives its own content back.
  assert.doesNotMatch(byPath(await repo.readFiles(r.commitOid!, 'agents'), 'agents/pods/b/b-1.yaml')!.content, /labels/);
});

test('readFiles of an unchanged commit keeps every file for the next read: only a changed blob is read again', async () => {
  const repo = await GitRepo.open(opts());
  const base = await repo.fetchTip();
  const r = await commitAndPush(repo, async () => ({
    message: 'add pods',
    changes: [
      { path: 'agents/pods/a/a-1.yaml', content: 'kind: Pod\nmetadata:\n  name: a-1\n' },
      { path: 'agents/pods/b/b-1.yaml', content: 'kind: Pod\nmetadata:\n  name: b-1\n' },
    ],
  }), { maxAttempts: 3, jitterMs: 10 });
  assert.notEqual(r.commitOid, base);
  const first = await repo.readFiles(r.commitOid!, 'agents');
  // The same commit again (a pass with nothing to do): the whole tree is known by its id.
  assert.deepEqual(await repo.readFiles(r.commitOid!, 'agents'), first);
  const r2 = await commitAndPush(repo, async () => ({
    message: 'remove one pod',
    changes: [{ path: 'agents/pods/b/b-1.yaml', content: null }],
  }), { maxAttempts: 3, jitterMs: 10 });
  const second = await repo.readFiles(r2.commitOid!, 'agents');
  const byPath = (files: readonly { path: string }[], p: string) => files.find((f) => f.path === p);
  assert.equal(byPath(second, 'agents/pods/a/a-1.yaml'), byPath(first, 'agents/pods/a/a-1.yaml'), 'a file below a subtree reused whole is the same object');
  assert.equal(byPath(second, 'agents/sentinel.yaml'), byPath(first, 'agents/sentinel.yaml'));
  assert.equal(byPath(second, 'agents/pods/b/b-1.yaml'), undefined);
});
