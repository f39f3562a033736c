// Git reads are strict too: a proxy or maintenance page answering the smart-HTTP routes with
// 200 and HTML is an error naming the operation, never an empty or stale tip. (Everything the
// git adapter does read is content-addressed: a tree or blob that arrives is the one asked for.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitRepo } from '../../reconciler/gitops/index.ts';
import { repoOptionsFor, useSeededGitServer } from '../helpers/gitServer.ts';

const fx = useSeededGitServer();

/** A reverse proxy in front of the git server that can start answering with a maintenance page. */
async function startProxy(target: string): Promise<{ url: string; maintenance: (on: boolean) => void; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let page = false;
  const server = http.createServer((req, res) => {
    if (page) {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Down for maintenance</body></html>');
      return;
    }
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    maintenance: (on) => (page = on),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test('a maintenance page on the git remote fails the fetch by name: no tip from a page, before or after a clone', async () => {
  const proxy = await startProxy(fx.repoUrl);
  try {
    proxy.maintenance(true);
    await assert.rejects(GitRepo.open(repoOptionsFor(fx, { url: proxy.url })), (err: Error) => /^clone .*did not reply using the "smart" HTTP protocol/.test(err.message));

    proxy.maintenance(false);
    const repo = await GitRepo.open(repoOptionsFor(fx, { url: proxy.url }));
    const tip = await repo.fetchTip();
    assert.match(tip, /^[0-9a-f]{40}$/);
    const person = await fx.pushAsPerson({ 'docs/note.md': 'moved\n' }, 'docs: a note');
    proxy.maintenance(true);
    await assert.rejects(repo.fetchTip(), (err: Error) => /^fetch .*"smart" HTTP protocol/.test(err.message) && !err.message.includes(fx.token));
    proxy.maintenance(false);
    assert.equal(await repo.fetchTip(), person, 'once the page is gone the real tip is read');
  } finally {
    await proxy.close();
  }
});
