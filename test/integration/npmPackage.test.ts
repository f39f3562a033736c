// The npm package as a user gets it: `npm pack` in the checkout (prepack builds dist/), the
// tarball installed into a user's project, and its bin run through npx on Node.js 24 (the
// project's own node devDependency). A bin that pointed at TypeScript would fail here with
// ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING: Node.js does not strip types under node_modules.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

const exec = promisify(execFile);

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly files: readonly { readonly path: string }[];
}

/**
 * A clean environment: Node.js 24 first on PATH (npx and the bin's `#!/usr/bin/env node` find it),
 * and no npm_* variables from `npm test`, which would point the child npm at this checkout.
 */
const env: NodeJS.ProcessEnv = {
  PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
  HOME: process.env.HOME,
  ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
};

async function npx(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('npx', ['--no-install', ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Installs the tarball without the registry. Resolving its version ranges would fetch every
 * dependency's metadata, which `npm ci` never caches: on a fresh machine that is ~120 registry
 * round trips, and one stalled connection held the install past any bound. Instead the user
 * project starts from this checkout's lockfile (its production dependencies, whose tarballs the
 * checkout's own `npm ci` cached), and the package is added to it; `--offline` makes any registry
 * access an error (ENOTCACHED) rather than a wait.
 */
async function installOffline(dir: string, tarball: string): Promise<void> {
  const project = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(await readFile(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as Record<string, unknown>;
  const user = { name: 'a-user-project', private: true, dependencies: project.dependencies, devDependencies: project.devDependencies };
  await writeFile(join(dir, 'package.json'), JSON.stringify(user, null, 2));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ ...lock, name: user.name }, null, 2));
  const offline = ['--offline', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'];
  await exec('npm', ['ci', ...offline], { cwd: dir, env, timeout: 180_000 });
  await exec('npm', ['install', ...offline, tarball], { cwd: dir, env, timeout: 180_000 });
}

describe('the npm package', () => {
  let work = '';
  let installed = '';
  let pack: PackResult;

  before(async () => {
    assert.match(process.versions.node, /^24\./, 'the suite runs on the node@24 devDependency');
    work = await mkdtemp(join(tmpdir(), 'azdo-gitops-pack-'));
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    // npm prints the prepack script's output before the JSON.
    pack = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as PackResult[])[0]!;
    installed = join(work, 'user');
    await mkdir(installed);
    await installOffline(installed, join(work, pack.filename));
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the compiled reconciler only: no TypeScript, no sandbox, no tests', () => {
    const paths = pack.files.map((f) => f.path).sort();
    assert.ok(paths.includes('dist/reconciler/main.js'), 'the bin is packed');
    assert.deepEqual(
      paths.filter((p) => !/^dist\/reconciler\/.+\.js$/.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p)),
      [],
      'nothing but dist/reconciler/*.js, package.json, README.md and LICENSE',
    );
    assert.ok(paths.includes('LICENSE'), 'the license travels with the package');
    assert.ok(!paths.some((p) => /(^|\/)sandbox\//.test(p)), 'no sandbox code');
  });

  it('npx azdo-gitops --help prints the usage on Node.js 24', async () => {
    const r = await npx(installed, ['azdo-gitops', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: azdo-gitops <command> \[options\]/);
    assert.doesNotMatch(r.stderr, /ERR_UNSUPPORTED/);
  });

  it('npx azdo-gitops --version names the packed version', async () => {
    const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await npx(installed, ['azdo-gitops', '--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `azdo-gitops ${version}\n`);
  });

  it('npx azdo-gitops validate accepts the example cluster repo', async () => {
    const r = await npx(installed, ['azdo-gitops', 'validate', join(PROJECT_ROOT, 'cluster-repo-example'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; specs: { name: string }[] };
    assert.equal(out.ok, true);
    assert.ok(out.specs.length > 0, 'the example has AgentSpecs');
  });

  it('npx azdo-gitops sandbox run says the sandbox comes with a checkout, and exits 2', async () => {
    const r = await npx(installed, ['azdo-gitops', 'sandbox', 'run']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^azdo-gitops: the sandbox is a development tool and is not part of this build .*Run it from a checkout of the repository: npm install && npm start\./);
  });
});
