// What the Dockerfile ships, mirrored without a container engine so `npm test` covers it: its
// build stage (the files it copies, `npm run build`), its deps stage (`npm ci --omit=dev
// --ignore-scripts`) and its ENTRYPOINT, on Node.js 24 with production dependencies only. The
// image itself is built and run by `npm run test:image` (test/image/).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../sandbox/index.ts';
import { runCli } from '../../helpers/runCli.ts';
import { eventually, useWorld } from '../../helpers/world.ts';

const exec = promisify(execFile);

/** The instructions of the Dockerfile this test mirrors; it fails if they change under it. */
async function dockerfile(): Promise<{ sources: string[]; build: string; deps: string; entry: string; nodeFlags: string[] }> {
  const text = await readFile(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const runs = [...text.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!);
  // `ENTRYPOINT ["node", "--flag"…, "<script>"]`: node runs here with the same flags before the script.
  const entrypoint = /^ENTRYPOINT \["node", ((?:"--[^"]+", )*)"([^"]+)"\]$/m.exec(text);
  const entry = entrypoint?.[2];
  const nodeFlags = [...(entrypoint?.[1] ?? '').matchAll(/"(--[^"]+)"/g)].map((m) => m[1]!);
  const build = runs.find((r) => r.startsWith('npm run build'));
  const deps = runs.find((r) => r.startsWith('npm ci --omit=dev'));
  assert.ok(build && deps && entry, `the Dockerfile builds with npm run build, installs with npm ci --omit=dev and runs node <script>; found RUN ${JSON.stringify(runs)}`);
  // What the build stage copies from the checkout: `COPY <src>… <dest>` (not COPY --from).
  const buildStage = text.split(/^FROM /m).find((stage) => stage.includes('RUN npm run build'))!;
  const sources = [...buildStage.matchAll(/^COPY (?!--)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
  assert.ok(sources.includes('reconciler') && sources.includes('tsconfig.build.json'), `the build stage copies the sources; found ${JSON.stringify(sources)}`);
  return { sources, build, deps, entry, nodeFlags };
}

async function filesUnder(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('the production build the Dockerfile ships', () => {
  const world = useWorld();
  let image = '';
  /** The ENTRYPOINT: node's flags, then the script. */
  let entry: string[] = [];

  before(async () => {
    const steps = await dockerfile();
    image = await mkdtemp(join(tmpdir(), 'azdo-gitops-image-'));
    // Build stage: only the files it copies (and the installed dependencies); the compiler writes
    // dist/ as `npm run build` does, into the image directory.
    const build = join(image, 'build');
    for (const src of steps.sources) await cp(join(PROJECT_ROOT, src), join(build, src), { recursive: true });
    await symlink(join(PROJECT_ROOT, 'node_modules'), join(build, 'node_modules'));
    await exec(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(build, 'tsconfig.build.json'), '--outDir', join(image, 'dist')]);
    await rm(build, { recursive: true, force: true });
    // Deps stage, with the Dockerfile's own flags (the npm cache of `npm ci` serves it).
    for (const f of ['package.json', 'package-lock.json']) await copyFile(join(PROJECT_ROOT, f), join(image, f));
    const [, ...args] = steps.deps.split(/\s+/);
    await exec('npm', [...args, '--prefer-offline'], { cwd: image });
    entry = [...steps.nodeFlags, join(image, steps.entry)];
  });
  after(async () => {
    if (image) await rm(image, { recursive: true, force: true });
  });

  it('holds production dependencies only: no compiler, no Node.js package', async () => {
    await assert.rejects(stat(join(image, 'node_modules/typescript')));
    await assert.rejects(stat(join(image, 'node_modules/node')));
    for (const dep of ['isomorphic-git', 'azure-devops-node-api', '@kubernetes/client-node', 'yaml', 'croner', 'prom-client']) {
      assert.ok((await stat(join(image, 'node_modules', dep))).isDirectory(), `${dep} is installed`);
    }
  });

  it('holds no sandbox code: dist/ is the reconciler only, and nothing in it imports the sandbox', async () => {
    const files = await filesUnder(join(image, 'dist'));
    assert.ok(files.includes('reconciler/main.js'), 'the ENTRYPOINT script is built');
    assert.deepEqual(files.filter((f) => !f.startsWith('reconciler/')), [], 'nothing outside reconciler/');
    for (const f of files.filter((f) => f.endsWith('.js'))) {
      const text = await readFile(join(image, 'dist', f), 'utf8');
      assert.doesNotMatch(text, /(?:from|import)\s*\(?\s*["'][^"']*sandbox\/[^"']*["']/, `${f} imports no sandbox module`);
    }
  });

  it('run without configuration exits 2 naming AZDO_ORG_URL, and starts nothing', async () => {
    const r = await runCli(entry, ['run'], { env: {}, timeoutMs: 20_000, watchPorts: true });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'azdo-gitops: AZDO_ORG_URL: is not set. Set it to your organization URL. For example AZDO_ORG_URL=https://dev.azure.com/my-org\n');
    assert.deepEqual(r.listened, [], 'no port was opened');
  });

  it('the sandbox commands say the sandbox is a development tool not in this build, and exit 2', async () => {
    for (const args of [['sandbox', 'run'], ['sandbox', 'serve'], ['sandbox', 'demo']]) {
      const r = await runCli(entry, args, { env: {}, timeoutMs: 20_000, watchPorts: true });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^azdo-gitops: the sandbox is a development tool and is not part of this build .*Run it from a checkout of the repository: npm install && npm start\./);
      assert.deepEqual(r.listened, [], 'no port was opened');
    }
  });

  it('validates the example cluster repo', async () => {
    const { code, stdout, stderr } = await world.cli(['validate', join(PROJECT_ROOT, 'cluster-repo-example'), '--json'], {}, entry);
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).ok, true);
  });

  it('reconciles: one pass commits the standby agent, which comes online, and logs no token', async () => {
    const { code, stdout, stderr } = await world.cli(['once'], { LOG_LEVEL: 'debug' }, entry);
    assert.equal(code, 0, stderr);
    assert.equal((await world.manifests()).filter((m) => m.includes('/linux/')).length, 1);
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'), 30_000);
    for (const secret of [world.sandbox.info.token, world.sandbox.info.gitToken]) {
      assert.ok(!`${stdout}${stderr}`.includes(secret), 'no token in the output');
    }
  });
});
