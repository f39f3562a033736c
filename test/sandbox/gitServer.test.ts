import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import fs from 'node:fs';
import git from 'isomorphic-git';
import httpClient from 'isomorphic-git/http/node';
import { startSeededGitServer, type SeededGitServer } from '../helpers/gitServer.ts';
import { runGit } from '../../sandbox/git/index.ts';

let fx: SeededGitServer;
before(async () => {
  fx = await startSeededGitServer();
});
after(async () => {
  await fx.close();
});

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

test('real git CLI clones the seeded repo: one commit by sandbox on main', async () => {
  const dir = await fx.cloneTo();
  assert.equal(await readFile(path.join(dir, 'agents/sentinel.yaml'), 'utf8').then((s) => s.includes('azdo-gitops-sentinel')), true);
  const { stdout } = await fx.gitCli(['log', '--format=%an|%s', 'main'], dir);
  assert.deepEqual(stdout.trim().split('\n'), ['sandbox|seed repository']);
  const head = await fx.gitCli(['symbolic-ref', 'HEAD'], dir);
  assert.equal(head.stdout.trim(), 'refs/heads/main');
});

test('real git CLI pushes; a second clone sees it; force push is refused', async () => {
  const a = await fx.cloneTo();
  await writeFile(path.join(a, 'new.txt'), 'hello\n');
  await runGit(['add', 'new.txt'], a);
  await runGit(['commit', '-q', '-m', 'add new.txt'], a);
  await fx.gitCli(['push', '-q', 'origin', 'main'], a);
  const b = await fx.cloneTo();
  assert.equal(await readFile(path.join(b, 'new.txt'), 'utf8'), 'hello\n');

  await runGit(['reset', '-q', '--hard', 'HEAD~1'], a);
  await runGit(['commit', '-q', '--allow-empty', '-m', 'diverge'], a);
  await assert.rejects(fx.gitCli(['push', '-q', '--force', 'origin', 'main'], a), /rejected|denied|non-fast-forward/i);
  const subjects = await fx.logSubjects();
  assert.deepEqual(subjects, ['add new.txt', 'seed repository']);
});

test('missing or wrong credentials: 401 with WWW-Authenticate, git CLI fails without prompting', async () => {
  const url = `${fx.repoUrl}/info/refs?service=git-upload-pack`;
  const none = await fetch(url);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="/);
  const wrong = await fetch(url, { headers: { authorization: basic(fx.username, 'wrong') } });
  assert.equal(wrong.status, 401);
  const ok = await fetch(url, { headers: { authorization: basic(fx.username, fx.token) } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'application/x-git-upload-pack-advertisement');
  await ok.arrayBuffer();

  const dir = await mkdtemp(path.join(fx.tmp, 'noauth-'));
  await assert.rejects(runGit(['clone', '-q', fx.repoUrl, path.join(dir, 'c')], dir), /Authentication failed|could not read Username|401/);
  await rm(dir, { recursive: true, force: true });
});

test('protocol v2 via Git-Protocol header, gzip request body decoded by http-backend', async () => {
  const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, '0') + s;
  const body = gzipSync(Buffer.from(pkt('command=ls-refs\n') + '0001' + pkt('symrefs\n') + '0000'));
  const res = await fetch(`${fx.repoUrl}/git-upload-pack`, {
    method: 'POST',
    headers: {
      authorization: basic(fx.username, fx.token),
      'content-type': 'application/x-git-upload-pack-request',
      'content-encoding': 'gzip',
      'git-protocol': 'version=2',
    },
    body,
  });
  assert.equal(res.status, 200);
  const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
  assert.match(text, /refs\/heads\/main/);
});

test('unknown repo gives 404', async () => {
  const res = await fetch(`${fx.server.repoUrl('nope')}/info/refs?service=git-upload-pack`, {
    headers: { authorization: basic(fx.username, fx.token) },
  });
  assert.equal(res.status, 404);
  await res.arrayBuffer();
});

test('isomorphic-git clones, commits and pushes; git CLI sees it', async () => {
  const dir = await mkdtemp(path.join(fx.tmp, 'iso-'));
  const onAuth = () => ({ username: fx.username, password: fx.token });
  await git.clone({ fs, http: httpClient, dir, url: fx.repoUrl, ref: 'main', singleBranch: true, depth: 1, onAuth });
  assert.equal(await readFile(path.join(dir, 'README.md'), 'utf8'), '# cluster repo\n');
  await writeFile(path.join(dir, 'iso.txt'), 'from isomorphic-git\n');
  await git.add({ fs, dir, filepath: 'iso.txt' });
  await git.commit({ fs, dir, message: 'iso commit', author: { name: 'iso', email: 'iso@example.com' } });
  const r = await git.push({ fs, http: httpClient, dir, remote: 'origin', ref: 'main', onAuth });
  assert.equal(r.ok, true);
  const subjects = await fx.logSubjects();
  assert.equal(subjects[0], 'iso commit');

  const bad = await mkdtemp(path.join(fx.tmp, 'iso-bad-'));
  await assert.rejects(
    git.clone({ fs, http: httpClient, dir: bad, url: fx.repoUrl, onAuth: () => ({ username: 'x', password: 'y' }) }),
    (e: Error & { code?: string; data?: { statusCode?: number } }) => e.code === 'HttpError' && e.data?.statusCode === 401,
  );
});

test('createRepo: bare repo with main as default branch, empty until seeded', async () => {
  const url = await fx.server.createRepo('team/empty');
  assert.equal(url, `${fx.server.baseUrl}/team/empty.git`);
  const head = await readFile(path.join(fx.server.root, 'team/empty.git/HEAD'), 'utf8');
  assert.equal(head.trim(), 'ref: refs/heads/main');
  await assert.rejects(fx.server.createRepo('../evil'), /invalid repo name/);
});
