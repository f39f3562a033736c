// tools/real-cluster/build.sh is honest: a component whose download or install fails exits
// non-zero, names the module and what went wrong, and is never marked complete (a later run
// must not find it "cached"); one that succeeds from an empty cache has its files; a dependency
// patched for an upstream bug is built patched, and a patch that no longer applies stops the build.
// Each case runs the script with its own empty cache (AZDO_GITOPS_CACHE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

const EASYCEL_PATCH = 'easycel-v0.6.0-concurrent-caches.patch';
const PATCHED_EASYCEL = 'src/patched/github.com_wzshiming_easycel_v0.6.0';

/** Runs `body` with a fresh temporary directory, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'build-script-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A copy of tools/real-cluster under `dir`, to edit. */
async function copyOfTools(dir: string): Promise<string> {
  const tools = join(dir, 'real-cluster');
  await cp(join(PROJECT_ROOT, 'tools/real-cluster'), tools, { recursive: true });
  return tools;
}

/** Runs tools/real-cluster/build.sh (from `tools`, default the repository's) with `cache` as its cache, default the one the tests use. */
function buildScript(args: string[], cache?: string, tools = join(PROJECT_ROOT, 'tools/real-cluster')) {
  const env = cache === undefined ? process.env : { ...process.env, AZDO_GITOPS_CACHE: cache };
  return spawnSync('bash', [join(tools, 'build.sh'), ...args], { env, encoding: 'utf8', timeout: 300_000 });
}

test('a component that cannot be fetched fails the build by name and is not marked complete', () =>
  inTempDir(async (dir) => {
    const tools = await copyOfTools(dir);
    const versions = join(tools, 'versions.env');
    await writeFile(versions, (await readFile(versions, 'utf8')).replace(/^ARGOCD_VERSION=\S+/m, 'ARGOCD_VERSION=v3.6.999'));
    const cache = join(dir, 'cache');
    const build = buildScript(['argocd-crds'], cache, tools);
    assert.equal(build.status, 1, `build.sh exit status (stderr: ${build.stderr})`);
    assert.match(build.stderr, /cannot download github\.com\/argoproj\/argo-cd\/v3@v3\.6\.999/);
    assert.match(build.stderr, /FAILED: argocd-crds/);
    assert.doesNotMatch(build.stderr, /all built/);
    const check = buildScript(['--check', 'argocd-crds'], cache, tools);
    assert.equal(check.status, 1, 'the failed component is not reported as built');
  }));

test('a cold argocd-crds build (the go command fetches a toolchain and says so on stderr) installs both CRDs', () =>
  inTempDir(async (dir) => {
    const cache = join(dir, 'cache');
    const build = buildScript(['argocd-crds'], cache);
    assert.equal(build.status, 0, `build.sh exit status (stderr: ${build.stderr})`);
    const out = buildScript(['--out-dir'], cache).stdout.trim();
    const crds = join(out, 'crds', 'argocd-crds');
    assert.deepEqual((await readdir(crds)).sort(), ['.complete', 'application-crd.yaml', 'appproject-crd.yaml']);
    for (const f of ['application-crd.yaml', 'appproject-crd.yaml']) assert.match(await readFile(join(crds, f), 'utf8'), /^kind: CustomResourceDefinition$/m);
  }));

test('kwok is built against easycel with the concurrent-caches patch applied', () =>
  inTempDir(async (dir) => {
    const cache = join(dir, 'cache');
    const wrapper = buildScript(['--wrapper-only', 'kwok'], cache);
    assert.equal(wrapper.status, 0, `build.sh exit status (stderr: ${wrapper.stderr})`);
    const out = buildScript(['--out-dir'], cache).stdout.trim();
    const patched = join(out, PATCHED_EASYCEL);
    assert.match(await readFile(join(out, 'src/kwok/go.mod'), 'utf8'), new RegExp(`^replace github\\.com/wzshiming/easycel => ${patched}$`, 'm'));
    // applied: the patch reverses cleanly on the copy kwok builds from
    const reverse = spawnSync('git', ['apply', '--check', '-R', '-p1', join(PROJECT_ROOT, 'tools/real-cluster/patches', EASYCEL_PATCH)], { cwd: patched, env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(patched) }, encoding: 'utf8' });
    assert.equal(reverse.status, 0, reverse.stderr);
  }));

test('a patch that no longer applies fails the kwok build by name', () =>
  inTempDir(async (dir) => {
    const tools = await copyOfTools(dir);
    const patch = join(tools, 'patches', EASYCEL_PATCH);
    await writeFile(patch, (await readFile(patch, 'utf8')).replace('-var typeValueMap = map[reflect.Type]*types.Type{}', '-var typeValueMap = map[reflect.Type]*types.Type{} // not upstream'));
    const build = buildScript(['--wrapper-only', 'kwok'], join(dir, 'cache'), tools);
    assert.equal(build.status, 1, `build.sh exit status (stderr: ${build.stderr})`);
    assert.match(build.stderr, new RegExp(`kwok: \\S*${EASYCEL_PATCH.replaceAll('.', '\\.')} does not apply to github\\.com/wzshiming/easycel@v0\\.6\\.0`));
    assert.match(build.stderr, /FAILED/);
  }));

test('the kwok the real-cluster tests run carries the patched easycel', () => {
  const bin = join(buildScript(['--bin-dir']).stdout.trim(), 'kwok');
  const info = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`dep\\tgithub\\.com/wzshiming/easycel\\tv0\\.6\\.0\\n\\t=>\\t\\S*/${PATCHED_EASYCEL}\\t`));
});
