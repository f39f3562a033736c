// What the Dockerfile ships, built and run without Docker (there is no engine here): its build
// stage (`npm run build`), its deps stage (`npm ci --omit=dev --ignore-scripts`) and its
// ENTRYPOINT, on Node.js 24 with production dependencies only. Only the base image is not exercised.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../sandbox/index.ts';
import { eventually, useWorld } from '../../helpers/world.ts';

const exec = promisify(execFile);

/** The instructions of the Dockerfile this test mirrors; it fails if they change under it. */
async function dockerfile(): Promise<{ build: string; deps: string; entry: string }> {
  const text = await readFile(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const runs = [...text.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!);
  const entry = /^ENTRYPOINT \["node", "([^"]+)"\]$/m.exec(text)?.[1];
  const build = runs.find((r) => r.startsWith('npm run build'));
  const deps = runs.find((r) => r.startsWith('npm ci --omit=dev'));
  assert.ok(build && deps && entry, `the Dockerfile builds with npm run build, installs with npm ci --omit=dev and runs node <script>; found RUN ${JSON.stringify(runs)}`);
  return { build, deps, entry };
}

describe('the production build the Dockerfile ships', () => {
  const world = useWorld();
  let image = '';
  let entry = '';

  before(async () => {
    const steps = await dockerfile();
    image = await mkdtemp(join(tmpdir(), 'azdo-gitops-image-'));
    // Build stage: the compiler writes dist/ as `npm run build` does, into the image directory.
    await exec(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', join(image, 'dist')]);
    // Deps stage, with the Dockerfile's own flags (the npm cache of `npm ci` serves it).
    for (const f of ['package.json', 'package-lock.json']) await copyFile(join(PROJECT_ROOT, f), join(image, f));
    const [, ...args] = steps.deps.split(/\s+/);
    await exec('npm', [...args, '--prefer-offline'], { cwd: image });
    entry = join(image, steps.entry);
  });
  after(async () => {
    if (image) await rm(image, { recursive: true, force: true });
  });

  it('holds production dependencies only: no compiler, no Node.js package', async () => {
    await assert.rejects(stat(join(image, 'node_modules/typescript')));
    await assert.rejects(stat(join(image, 'node_modules/node')));
    for (const dep of ['isomorphic-git', 'azure-devops-node-api', '@kubernetes/client-node', 'yaml', 'node-cron']) {
      assert.ok((await stat(join(image, 'node_modules', dep))).isDirectory(), `${dep} is installed`);
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
