// Reading a kubeconfig or the pod's ServiceAccount without client-node: what each form of
// credentials becomes, and which users are left to client-node (credential plugins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inClusterTarget, KubeconfigError, parseKubeconfig, tokenFromFile, type KubeconfigAuth, type KubeTarget } from '../../reconciler/cluster/kubeconfigAuth.ts';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { ConfigError } from '../../reconciler/errors/configError.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'other', cluster: { server: 'https://other:6443' } }, { name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'azdo-agents' } }],
    'current-context': 'ctx',
    ...extra,
  });
}

function direct(auth: KubeconfigAuth): KubeTarget {
  assert.equal(auth.kind, 'direct');
  return (auth as { target: KubeTarget }).target;
}

test('a token user: the current context\'s server (no trailing slash), its CA data and the bearer token', () => {
  const t = direct(parseKubeconfig(kubeconfig({ server: 'https://api.example:6443/', 'certificate-authority-data': b64('CA PEM') }, { token: 'tok-1' }), '/nowhere'));
  assert.equal(t.server, 'https://api.example:6443');
  assert.equal(t.tls.ca?.toString(), 'CA PEM');
  assert.equal(t.tls.rejectUnauthorized, true);
  assert.equal(t.tls.cert, undefined);
  assert.equal(t.token(), 'tok-1');
});

test('client certificates from data or from files relative to the kubeconfig; insecure-skip-tls-verify and tls-server-name', () => {
  const fromData = direct(parseKubeconfig(kubeconfig({ server: 'https://a', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' }, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }), '/nowhere'));
  assert.deepEqual([fromData.tls.cert?.toString(), fromData.tls.key?.toString(), fromData.tls.rejectUnauthorized, fromData.tls.servername, fromData.token()], ['CERT', 'KEY', false, 'kubernetes', undefined]);

  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-auth-'));
  writeFileSync(join(dir, 'ca.crt'), 'CA FILE');
  writeFileSync(join(dir, 'client.crt'), 'CERT FILE');
  writeFileSync(join(dir, 'client.key'), 'KEY FILE');
  const fromFiles = direct(parseKubeconfig(kubeconfig({ server: 'https://a', 'certificate-authority': 'ca.crt' }, { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') }), dir));
  assert.deepEqual([fromFiles.tls.ca?.toString(), fromFiles.tls.cert?.toString(), fromFiles.tls.key?.toString()], ['CA FILE', 'CERT FILE', 'KEY FILE']);
});

test('a tokenFile is read relative to the kubeconfig and re-read once a minute (it rotates)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-auth-'));
  writeFileSync(join(dir, 'token'), 'first\n');
  const t = direct(parseKubeconfig(kubeconfig({ server: 'https://a' }, { tokenFile: 'token' }), dir));
  assert.equal(t.token(), 'first');

  let now = 0;
  const token = tokenFromFile(join(dir, 'token'), () => now);
  assert.equal(token(), 'first');
  writeFileSync(join(dir, 'token'), 'second\n');
  now = 59_000;
  assert.equal(token(), 'first');
  now = 60_000;
  assert.equal(token(), 'second');
});

test('credential plugins, basic auth, impersonation and a proxy are left to client-node', () => {
  const exec = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token'] } };
  assert.deepEqual(parseKubeconfig(kubeconfig({ server: 'https://eks' }, exec), '/'), { kind: 'plugin', server: 'https://eks', why: 'user.exec' });
  assert.deepEqual(parseKubeconfig(kubeconfig({ server: 'https://a' }, { 'auth-provider': { name: 'oidc' } }), '/'), { kind: 'plugin', server: 'https://a', why: 'user.auth-provider' });
  assert.deepEqual(parseKubeconfig(kubeconfig({ server: 'https://a' }, { username: 'u', password: 'p' }), '/'), { kind: 'plugin', server: 'https://a', why: 'user.username' });
  assert.deepEqual(parseKubeconfig(kubeconfig({ server: 'https://a' }, { token: 't', as: 'someone' }), '/'), { kind: 'plugin', server: 'https://a', why: 'user.as' });
  assert.deepEqual(parseKubeconfig(kubeconfig({ server: 'https://a', 'proxy-url': 'http://proxy:3128' }, { token: 't' }), '/'), { kind: 'plugin', server: 'https://a', why: 'cluster.proxy-url' });
});

test('what makes a kubeconfig unusable is named', () => {
  const bad = (text: string, dir = '/nowhere') => assert.throws(() => parseKubeconfig(text, dir), KubeconfigError);
  bad('[not, a, mapping]');
  bad(': : :');
  bad(kubeconfig({ server: 'https://a' }, {}, { 'current-context': '' }));
  bad(kubeconfig({ server: 'https://a' }, {}, { 'current-context': 'missing' }));
  bad(kubeconfig({}, { token: 't' }));
  bad(kubeconfig({ server: 'https://a', 'certificate-authority': 'absent.crt' }, {}));
  bad(kubeconfig({ server: 'https://a' }, { 'client-certificate-data': b64('CERT') }));
  assert.throws(() => parseKubeconfig(kubeconfig({ server: 'https://a' }, {}, { 'current-context': 'missing' }), '/'), /no context named "missing"/);
});

test('in a pod: the service host and port, the mounted CA, and the token re-read as it rotates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serviceaccount-'));
  writeFileSync(join(dir, 'ca.crt'), 'CLUSTER CA');
  writeFileSync(join(dir, 'token'), 'sa-token');
  const t = inClusterTarget({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir)!;
  assert.equal(t.server, 'https://10.0.0.1:443');
  assert.equal(t.tls.ca?.toString(), 'CLUSTER CA');
  assert.equal(t.token(), 'sa-token');
  assert.equal(inClusterTarget({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir)!.server, 'https://[fd00::1]:443');
  assert.equal(inClusterTarget({}, dir), undefined);
});

test('loadKubeClient: unreadable or unusable files and a pod without its token are ConfigErrors on KUBECONFIG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-load-'));
  await assert.rejects(loadKubeClient(join(dir, 'absent')), (e) => e instanceof ConfigError && /KUBECONFIG/.test(e.message) && /cannot be read/.test(e.message));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig({ server: 'https://a' }, { token: 't' }, { 'current-context': 'gone' }));
  await assert.rejects(loadKubeClient(join(dir, 'kubeconfig')), (e) => e instanceof ConfigError && /current-context/.test(e.message));
  await assert.rejects(loadKubeClient(undefined, { env: {} }), (e) => e instanceof ConfigError && /not a pod in a cluster/.test(e.message));
  await assert.rejects(
    loadKubeClient(undefined, { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: join(dir, 'no-sa') }),
    (e) => e instanceof ConfigError && /ServiceAccount cannot be read/.test(e.message),
  );
  writeFileSync(join(dir, 'ok'), kubeconfig({ server: 'https://api.example:6443' }, { token: 't' }));
  assert.equal((await loadKubeClient(join(dir, 'ok'))).server, 'https://api.example:6443');
});
