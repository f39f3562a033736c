// tools/real-cluster/build.sh is honest: a component whose download or install fails exits
// non-zero, names the module and what went wrong, and is never marked complete (a later run
// must not find it "cached"); one that succeeds from an empty cache has its files. Each case runs
// the script with its own empty cache (AZDO_GITOPS_CACHE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

test('a component that cannot be fetched fails the build by name and is not marked complete', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-script-'));
  try {
    const tools = join(dir, 'real-cluster');
    await cp(join(PROJECT_ROOT, 'tools/real-cluster'), tools, { recursive: true });
    const versions = join(tools, 'versions.env');
    await writeFile(versions, (await readFile(versions, 'utf8')).replace(/^ARGOCD_VERSION=\S+/m, 'ARGOCD_VERSION=v3.6.999'));
    const env = { ...process.env, AZDO_GITOPS_CACHE: join(dir, 'cache') };
    const build = spawnSync('bash', [join(tools, 'build.sh'), 'argocd-crds'], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(build.status, 1, `build.sh exit status (stderr: ${build.stderr})`);
    assert.match(build.stderr, /cannot download github\.com\/argoproj\/argo-cd\/v3@v3\.6\.999/);
    assert.match(build.stderr, /FAILED: argocd-crds/);
    assert.doesNotMatch(build.stderr, /all built/);
    const check = spawnSync('bash', [join(tools, 'build.sh'), '--check', 'argocd-crds'], { env, encoding: 'utf8' });
    assert.equal(check.status, 1, 'the failed component is not reported as built');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a cold argocd-crds build (the go command fetches a toolchain and says so on stderr) installs both CRDs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-script-'));
  try {
    const script = join(PROJECT_ROOT, 'tools/real-cluster/build.sh');
    const env = { ...process.env, AZDO_GITOPS_CACHE: join(dir, 'cache') };
    const build = spawnSync('bash', [script, 'argocd-crds'], { env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, `build.sh exit status (stderr: ${build.stderr})`);
    const out = spawnSync('bash', [script, '--out-dir'], { env, encoding: 'utf8' }).stdout.trim();
    const crds = join(out, 'crds', 'argocd-crds');
    assert.deepEqual((await readdir(crds)).sort(), ['.complete', 'application-crd.yaml', 'appproject-crd.yaml']);
    for (const f of ['application-crd.yaml', 'appproject-crd.yaml']) assert.match(await readFile(join(crds, f), 'utf8'), /^kind: CustomResourceDefinition$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
