// The built image (npm run image), run as the example Deployment runs it (read-only root, the
// numeric node user, no capabilities, tokens as read-only Secret files, STATE_DIR on an
// emptyDir), against the sandbox on the host network. Needs podman: `npm run test:image` builds
// the image first.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { freePort } from '../helpers/freePort.ts';
import {
  deploymentContainer,
  imageBuildOutput,
  runContainer,
  secretVolume,
  signalContainer,
  startContainer,
  type ContainerRun,
  type DeploymentContainer,
} from '../helpers/imageContainer.ts';
import { layerFileNames, needlesInLayer, unpackOciArchive } from '../helpers/ociArchive.ts';
import { eventually, useWorld } from '../helpers/world.ts';

const KUBECONFIG_DIR = '/etc/azdo-gitops';

describe('the image, run as the example Deployment runs it, against the sandbox', () => {
  const world = useWorld({}, 'sandbox');
  let image = '';
  let pod: DeploymentContainer;
  let tmp = '';
  /** Secret volumes and the kubeconfig: podman options shared by every run. */
  let mounts: string[] = [];
  const outputs: string[] = [];
  let runs = 0;

  /** The Deployment's env with the sandbox's endpoints; fieldRefs as the API server fills them. */
  function env(extra: Record<string, string> = {}): string[] {
    const info = world.sandbox.info;
    const out: Record<string, string> = {};
    for (const [name, v] of pod.env) {
      if (typeof v === 'string') out[name] = v;
      else if (v.fieldPath === 'metadata.namespace') out[name] = info.namespace;
      else if (v.fieldPath === 'metadata.name') out[name] = 'azdo-gitops-image-test';
      else throw new Error(`env ${name}: fieldRef ${v.fieldPath} has no value here`);
    }
    Object.assign(out, {
      AZDO_ORG_URL: info.azdoUrl,
      GIT_URL: info.gitUrl,
      GIT_USERNAME: info.gitUsername,
      // In a pod: the ServiceAccount's in-cluster configuration. Here: the sandbox's, read-only.
      KUBECONFIG: `${KUBECONFIG_DIR}/kubeconfig`,
      POLL_INTERVAL_SECONDS: '2',
      ...extra,
    });
    // The sandbox has no Flux GitRepository to nudge; its syncer polls.
    delete out.SYNC_REQUEST;
    return Object.entries(out).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  }

  async function run(args: readonly string[], options: readonly string[] = []): Promise<ContainerRun> {
    const r = await runContainer(`azdo-gitops-test-${process.pid}-${++runs}`, [...pod.securityOptions, ...mounts, ...env(), ...options], image, args);
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  before(async () => {
    image = await imageBuildOutput('--image-ref');
    pod = await deploymentContainer();
    tmp = await mkdtemp(join(tmpdir(), 'azdo-gitops-image-test-'));
    const info = world.sandbox.info;
    // The files the Deployment expects: each token file's name is its Secret's key.
    const tokenFor: Record<string, { envName: string; token: string }> = {
      'azdo-gitops-azdo-token': { envName: 'AZDO_TOKEN_FILE', token: info.token },
      'azdo-gitops-git-token': { envName: 'GIT_TOKEN_FILE', token: info.gitToken },
    };
    mounts = [];
    for (const [secretName, mountPath] of pod.secretMounts) {
      const t = tokenFor[secretName];
      assert.ok(t, `the Deployment mounts Secret ${secretName}, which the deploy guide does not create`);
      const file = pod.env.get(t.envName);
      assert.ok(typeof file === 'string' && file.startsWith(`${mountPath}/`), `${t.envName} points into the ${secretName} mount`);
      const dir = await secretVolume(join(tmp, secretName), { [basename(file)]: t.token });
      mounts.push('--volume', `${dir}:${mountPath}:ro`);
    }
    // A copy readable by the container's user (the sandbox writes its kubeconfig 0600 for root).
    const kube = await secretVolume(join(tmp, 'kube'), { kubeconfig: await readFile(info.kubeconfig, 'utf8') });
    mounts.push('--volume', `${kube}:${KUBECONFIG_DIR}:ro`);
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('--help prints the usage and exits 0 (node as PID 1, the numeric user, read-only root)', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /Usage: azdo-gitops/);
  });

  it('node runs on jemalloc (LD_PRELOAD), which returns what a pass frees to the system', async () => {
    const r = await run(['-e', "process.stdout.write(require('node:fs').readFileSync('/proc/self/maps', 'utf8'))"], ['--entrypoint', 'node']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/libjemalloc\.so\.2$/m);
  });

  it('the sandbox commands are not in the image: exit 2', async () => {
    const r = await run(['sandbox', 'run']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
  });

  it('validate accepts cluster-repo-example, mounted read-only', async () => {
    const r = await run(['validate', '/repo', '--json'], ['--volume', `${join(PROJECT_ROOT, 'cluster-repo-example')}:/repo:ro`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; specs: { name: string }[] };
    assert.equal(out.ok, true);
    assert.deepEqual(out.specs.map((s) => s.name).sort(), ['docker', 'linux']);
  });

  it('once commits the standby agent to the cluster repo, and the agent comes online', async () => {
    const before = await world.commits();
    const r = await run(['once']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /pushed [0-9a-f]{40}/);
    const after = await world.commits();
    assert.equal(after.length, before.length + 1, 'one commit');
    assert.equal((await world.manifests()).length, 1);
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'), 60_000);
  });

  it('run answers /readyz and /metrics, and SIGTERM ends it with exit 0 within the grace period', async () => {
    const port = await freePort();
    const name = `azdo-gitops-test-${process.pid}-run`;
    const c = startContainer(name, [...pod.securityOptions, ...mounts, ...env({ HTTP_PORT: String(port) })], image, pod.args);
    try {
      await eventually('/readyz answering 200', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 90_000, 500);
      const metrics = await eventually(
        'a successful pass counted on /metrics',
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /^azdo_gitops_passes_total\{result="success"\} [1-9]/m.test(text) && text;
        },
        60_000,
        500,
      );
      assert.match(metrics, /^azdo_gitops_pending_jobs\{/m);
      const signalled = Date.now();
      await signalContainer(name, 'TERM');
      const r = await c.exited;
      outputs.push(r.stdout, r.stderr);
      const ms = Date.now() - signalled;
      assert.equal(r.code, 0, c.output());
      assert.ok(ms < pod.gracePeriodSeconds * 1000, `exited ${ms} ms after SIGTERM; the grace period is ${pod.gracePeriodSeconds} s`);
    } finally {
      await signalContainer(name, 'KILL').catch(() => undefined);
      await c.exited;
    }
  });

  it('no token appears in the image layers, its config or anything the container printed', async () => {
    const info = world.sandbox.info;
    const tokens = [info.token, info.gitToken, info.agentToken];
    // Build-time credentials: the build's npmrc is mounted for RUN steps, never copied; the
    // image config must not name it, nor carry npm auth settings.
    const credentialMarkers = ['_authToken', '_auth=', '_password=', 'build-home', 'npmrc'];
    const printed = outputs.join('\n');
    assert.ok(printed.length > 0, 'the runs printed something to search');
    for (const t of tokens) assert.ok(!printed.includes(t), 'a sandbox token was printed');

    const unpacked = await mkdtemp(join(tmpdir(), 'azdo-gitops-image-layers-'));
    try {
      const oci = await unpackOciArchive(await imageBuildOutput('--archive'), unpacked);
      for (const needle of [...tokens, ...credentialMarkers]) assert.ok(!oci.configText.includes(needle), `the image config holds ${tokens.includes(needle) ? 'a token' : needle}`);
      assert.ok(oci.layers.length > 1);
      for (const layer of oci.layers) {
        const names = await layerFileNames(layer);
        assert.deepEqual(names.filter((n) => /(^|\/)\.npmrc$|registry-ca\.pem$/.test(n)), [], `${basename(layer)} holds npm settings`);
        assert.deepEqual(await needlesInLayer(layer, tokens), [], `${basename(layer)} holds a sandbox token`);
      }
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  });
});
