import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, pathsFrom, specDefaultsFrom } from '../../reconciler/config/config.ts';
import { ConfigError } from '../../reconciler/errors/configError.ts';

type Env = Record<string, string | undefined>;

const AZDO_TOKEN = 'azdo-pat-0123456789';
const GIT_TOKEN = 'git-token-9876543210';
const base: Env = {
  AZDO_ORG_URL: 'https://dev.azure.com/acme',
  AZDO_TOKEN,
  GIT_URL: 'https://git.example.com/acme/cluster.git',
  GIT_TOKEN,
};
const env = (over: Env = {}): Env => ({ ...base, ...over });

// KUBECONFIG must name a file that exists.
const kubeDir = mkdtempSync(join(tmpdir(), 'azdo-gitops-kube-'));
const KUBECONFIG_FILE = join(kubeDir, 'config');
writeFileSync(KUBECONFIG_FILE, 'apiVersion: v1\nkind: Config\n');
after(() => rmSync(kubeDir, { recursive: true, force: true }));

/** Asserts loadConfig throws a ConfigError naming `variable` whose message matches `pattern`. */
function rejects(e: Env, variable: string, pattern: RegExp): ConfigError {
  let caught: unknown;
  try {
    loadConfig(e);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.variable, variable);
  assert.ok(caught.message.startsWith(`${variable}: `), caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

test('minimal env gives the documented defaults', () => {
  const c = loadConfig(env());
  assert.deepEqual(c.azdo, { orgUrl: 'https://dev.azure.com/acme', token: AZDO_TOKEN });
  assert.equal(c.git.url, 'https://git.example.com/acme/cluster.git');
  assert.equal(c.git.branch, 'main');
  assert.equal(c.git.username, 'azdo-gitops');
  assert.equal(c.git.token, GIT_TOKEN);
  assert.equal(c.git.authorName, 'azdo-gitops');
  assert.equal(c.git.authorEmail, 'azdo-gitops@users.noreply.local');
  assert.deepEqual(c.paths, { agents: 'agents', specs: 'agentspecs', templates: 'templates' });
  assert.equal(c.cluster.kubeconfig, undefined);
  assert.equal(c.cluster.namespace, 'azdo-agents');
  assert.equal(c.cluster.leaseName, 'azdo-gitops');
  assert.equal(c.cluster.leaderElection, true);
  assert.equal(c.pollIntervalSeconds, 15);
  assert.equal(c.globalMaxAgents, 50);
  assert.equal(c.httpPort, 8080);
  assert.equal(c.pushAttempts, 5);
  assert.equal(c.gitRecloneCron, '7 * * * *');
  assert.equal(c.specDefaults.pool, 'k8s-agents');
  assert.equal(c.specDefaults.standby, 0);
  assert.equal(c.specDefaults.maxAgents, 10);
  assert.deepEqual(c.specDefaults.tokenSecretRef, { name: 'azdo-agent-token', key: 'token' });
  assert.ok(c.stateDir.length > 0);
});

test('every variable is read and trimmed', () => {
  const c = loadConfig(env({
    GIT_BRANCH: ' agents ',
    GIT_USERNAME: 'bot',
    GIT_AUTHOR_NAME: 'Bot',
    GIT_AUTHOR_EMAIL: 'bot@example.com',
    AGENTS_PATH: './clusters/prod/agents/',
    SPECS_PATH: '/specs',
    TEMPLATES_PATH: 'tpl',
    KUBECONFIG: ` ${KUBECONFIG_FILE} `,
    TARGET_NAMESPACE: 'ci-agents',
    LEASE_NAME: 'my-lease',
    LEADER_ELECTION: 'false',
    POLL_INTERVAL_SECONDS: '30',
    MAX_AGENTS: '7',
    AZDO_POOL: 'Linux',
    STANDBY_AGENT_COUNT: '2',
    MAX_AGENT_COUNT: '4',
    AGENT_TOKEN_SECRET: 'pat',
    AGENT_TOKEN_SECRET_KEY: 'value',
    STATE_DIR: '/var/lib/azdo-gitops',
    HTTP_PORT: '0',
    GIT_PUSH_ATTEMPTS: '9',
    GIT_RECLONE_CRON: '0 3 * * *',
  }));
  assert.equal(c.git.branch, 'agents');
  assert.equal(c.git.username, 'bot');
  assert.equal(c.git.authorName, 'Bot');
  assert.equal(c.git.authorEmail, 'bot@example.com');
  assert.deepEqual(c.paths, { agents: 'clusters/prod/agents', specs: 'specs', templates: 'tpl' });
  assert.equal(c.cluster.kubeconfig, KUBECONFIG_FILE);
  assert.equal(c.cluster.namespace, 'ci-agents');
  assert.equal(c.specDefaults.namespace, 'ci-agents');
  assert.equal(c.cluster.leaseName, 'my-lease');
  assert.equal(c.cluster.leaderElection, false);
  assert.equal(c.pollIntervalSeconds, 30);
  assert.equal(c.globalMaxAgents, 7);
  assert.equal(c.specDefaults.pool, 'Linux');
  assert.equal(c.specDefaults.standby, 2);
  assert.equal(c.specDefaults.maxAgents, 4);
  assert.deepEqual(c.specDefaults.tokenSecretRef, { name: 'pat', key: 'value' });
  assert.equal(c.stateDir, '/var/lib/azdo-gitops');
  assert.equal(c.httpPort, 0);
  assert.equal(c.pushAttempts, 9);
  assert.equal(c.gitRecloneCron, '0 3 * * *');
});

test('blank GIT_BRANCH, GIT_USERNAME and KUBECONFIG fall back to their defaults', () => {
  const c = loadConfig(env({ GIT_BRANCH: '  ', GIT_USERNAME: '', KUBECONFIG: ' ' }));
  assert.equal(c.git.branch, 'main');
  assert.equal(c.git.username, 'azdo-gitops');
  assert.equal(c.cluster.kubeconfig, undefined);
});

test('the default global cap is at least the per-spec default cap', () => {
  assert.equal(loadConfig(env({ MAX_AGENT_COUNT: '80' })).globalMaxAgents, 80);
  assert.equal(loadConfig(env({ MAX_AGENT_COUNT: '20' })).globalMaxAgents, 50);
});

test('trailing slashes are dropped from the org and git URLs', () => {
  const c = loadConfig(env({ AZDO_ORG_URL: 'https://dev.azure.com/acme//', GIT_URL: 'http://127.0.0.1:8080/r.git/' }));
  assert.equal(c.azdo.orgUrl, 'https://dev.azure.com/acme');
  assert.equal(c.git.url, 'http://127.0.0.1:8080/r.git');
});

test('legacy names: AZDO_ORG_URI, AZDO_POOLNAME, STANDBY_AGENT_COUNT, MAX_AGENT_COUNT, TARGET_NAMESPACE', () => {
  const c = loadConfig({
    ...env({ AZDO_ORG_URL: undefined }),
    AZDO_ORG_URI: 'https://dev.azure.com/legacy/',
    AZDO_POOLNAME: 'Legacy Pool',
    STANDBY_AGENT_COUNT: '3',
    MAX_AGENT_COUNT: '12',
    TARGET_NAMESPACE: 'old-agents',
  });
  assert.equal(c.azdo.orgUrl, 'https://dev.azure.com/legacy');
  assert.equal(c.specDefaults.pool, 'Legacy Pool');
  assert.equal(c.specDefaults.standby, 3);
  assert.equal(c.specDefaults.maxAgents, 12);
  assert.equal(c.specDefaults.namespace, 'old-agents');
  assert.equal(c.cluster.namespace, 'old-agents');
});

test('the new name wins over the legacy one', () => {
  const c = loadConfig(env({ AZDO_ORG_URI: 'https://dev.azure.com/legacy', AZDO_POOL: 'new', AZDO_POOLNAME: 'old' }));
  assert.equal(c.azdo.orgUrl, 'https://dev.azure.com/acme');
  assert.equal(c.specDefaults.pool, 'new');
});

test('a blank new name falls through to the legacy one', () => {
  const c = loadConfig(env({ AZDO_ORG_URL: '  ', AZDO_ORG_URI: 'https://dev.azure.com/legacy' }));
  assert.equal(c.azdo.orgUrl, 'https://dev.azure.com/legacy');
});

test('an invalid legacy org URL is reported under the legacy name', () => {
  rejects(env({ AZDO_ORG_URL: undefined, AZDO_ORG_URI: 'not a url' }), 'AZDO_ORG_URI', /is not a URL/);
});

test('missing required variables are named, with how to fix them', () => {
  rejects(env({ AZDO_ORG_URL: undefined }), 'AZDO_ORG_URL', /is not set\. Set it to your organization URL/);
  rejects(env({ AZDO_TOKEN: undefined }), 'AZDO_TOKEN', /is not set\. .*Agent Pools \(Read & manage\)/);
  rejects(env({ GIT_URL: undefined }), 'GIT_URL', /is not set\. Set it to the HTTPS URL/);
  rejects(env({ GIT_TOKEN: '   ' }), 'GIT_TOKEN', /is not set\. Set it to a token that may push/);
});

test('URLs that are not http(s) are rejected', () => {
  rejects(env({ GIT_URL: 'git@github.com:acme/cluster.git' }), 'GIT_URL', /is an SSH URL .*HTTPS only/);
  rejects(env({ GIT_URL: 'ssh://git@github.com/acme/cluster.git' }), 'GIT_URL', /is an SSH URL/);
  rejects(env({ AZDO_ORG_URL: 'ftp://dev.azure.com/acme' }), 'AZDO_ORG_URL', /must be an http\(s\) URL, got ftp:/);
});

test('URLs with credentials are rejected without echoing them', () => {
  for (const [name, u] of [
    ['GIT_URL', 'https://bot:s3cr3t-token@git.example.com/r.git'],
    ['GIT_URL', 'https://s3cr3t-token@git.example.com/r.git'],
    ['AZDO_ORG_URL', 'https://me:s3cr3t-token@dev.azure.com/acme'],
  ] as const) {
    const e = rejects(env({ [name]: u }), name, /must not carry credentials\. Put the token in the \*_TOKEN variable/);
    assert.doesNotMatch(e.message, /s3cr3t-token/);
  }
});

test('a malformed URL with credentials is rejected without echoing the credentials', () => {
  const e = rejects(env({ GIT_URL: 'https://bot:s3cr3t-token@git.exa mple.com/r.git' }), 'GIT_URL', /is not a URL/);
  assert.doesNotMatch(e.message, /s3cr3t-token/);
  const o = rejects(env({ AZDO_ORG_URL: 'https://me:s3cr3t-token@[broken' }), 'AZDO_ORG_URL', /is not a URL/);
  assert.doesNotMatch(o.message, /s3cr3t-token/);
});

test('whole-number settings reject junk and values below their minimum, naming the variable', () => {
  rejects(env({ POLL_INTERVAL_SECONDS: '0' }), 'POLL_INTERVAL_SECONDS', /must be a whole number from 1 to 86400, got "0"\. For example POLL_INTERVAL_SECONDS=15/);
  rejects(env({ POLL_INTERVAL_SECONDS: '1.5' }), 'POLL_INTERVAL_SECONDS', /got "1\.5"/);
  rejects(env({ MAX_AGENTS: '-3' }), 'MAX_AGENTS', /from 1 up, got "-3"/);
  rejects(env({ HTTP_PORT: 'eighty' }), 'HTTP_PORT', /from 0 to 65535, got "eighty"/);
  rejects(env({ GIT_PUSH_ATTEMPTS: '0' }), 'GIT_PUSH_ATTEMPTS', /from 1 to 100/);
  rejects(env({ STANDBY_AGENT_COUNT: 'two' }), 'STANDBY_AGENT_COUNT', /from 0 up, got "two"/);
  rejects(env({ MAX_AGENT_COUNT: '0' }), 'MAX_AGENT_COUNT', /from 1 up, got "0"/);
});

test('LEADER_ELECTION accepts true/false/yes/no/1/0 in any case and rejects the rest', () => {
  for (const v of ['1', 'true', 'YES', 'True']) assert.equal(loadConfig(env({ LEADER_ELECTION: v })).cluster.leaderElection, true);
  for (const v of ['0', 'false', 'No', 'FALSE']) assert.equal(loadConfig(env({ LEADER_ELECTION: v })).cluster.leaderElection, false);
  assert.equal(loadConfig(env({ LEADER_ELECTION: '' })).cluster.leaderElection, true);
  rejects(env({ LEADER_ELECTION: 'maybe' }), 'LEADER_ELECTION', /must be true or false, got "maybe"/);
});

test('repository paths must stay inside the repository', () => {
  rejects(env({ AGENTS_PATH: '../elsewhere' }), 'AGENTS_PATH', /must be a path inside the repository, got "\.\.\/elsewhere"/);
  rejects(env({ SPECS_PATH: 'a/../../b' }), 'SPECS_PATH', /inside the repository/);
  rejects(env({ TEMPLATES_PATH: '/' }), 'TEMPLATES_PATH', /inside the repository/);
});

test('pathsFrom reads only the path variables', () => {
  assert.deepEqual(pathsFrom({ AGENTS_PATH: 'x/y' }), { agents: 'x/y', specs: 'agentspecs', templates: 'templates' });
});

test('TARGET_NAMESPACE must be a DNS label', () => {
  rejects(env({ TARGET_NAMESPACE: 'Azdo_Agents' }), 'TARGET_NAMESPACE', /"Azdo_Agents" is not a valid namespace name/);
  rejects(env({ TARGET_NAMESPACE: 'a'.repeat(64) }), 'TARGET_NAMESPACE', /not a valid namespace name/);
  rejects(env({ TARGET_NAMESPACE: '-agents' }), 'TARGET_NAMESPACE', /not a valid namespace name/);
  assert.equal(specDefaultsFrom({ TARGET_NAMESPACE: 'a'.repeat(63) }).namespace, 'a'.repeat(63));
});

test('GIT_RECLONE_CRON must be a cron expression', () => {
  rejects(env({ GIT_RECLONE_CRON: 'every hour' }), 'GIT_RECLONE_CRON', /is not a cron expression: "every hour"/);
});

test('POD_FAILURE_BACKOFF_SECONDS is "<initial>,<max>": 30,600 by default, fractions allowed for tests', () => {
  assert.deepEqual(loadConfig(env()).podFailureBackoff, { initialSeconds: 30, maxSeconds: 600 });
  assert.deepEqual(loadConfig(env({ POD_FAILURE_BACKOFF_SECONDS: ' 1.5, 6 ' })).podFailureBackoff, { initialSeconds: 1.5, maxSeconds: 6 });
  assert.deepEqual(loadConfig(env({ POD_FAILURE_BACKOFF_SECONDS: '10,10' })).podFailureBackoff, { initialSeconds: 10, maxSeconds: 10 });
});

test('POD_FAILURE_BACKOFF_SECONDS rejects a missing part, zero, junk and max < initial, naming the variable and an example', () => {
  for (const bad of ['30', '0,600', '30,600,900', 'thirty,600', '-1,5', '60,30']) {
    rejects(env({ POD_FAILURE_BACKOFF_SECONDS: bad }), 'POD_FAILURE_BACKOFF_SECONDS', new RegExp(`got "${bad}".*POD_FAILURE_BACKOFF_SECONDS=30,600`));
  }
});

test('specDefaultsFrom needs no Azure DevOps or git settings', () => {
  const d = specDefaultsFrom({});
  assert.equal(d.pool, 'k8s-agents');
  assert.equal(d.namespace, 'azdo-agents');
  assert.equal(d.standby, 0);
  assert.equal(d.maxAgents, 10);
});

test('an empty or blank environment names AZDO_ORG_URL with an example, never a fallback', () => {
  for (const e of [{}, { AZDO_ORG_URL: '   ', AZDO_ORG_URI: '' }, { AZDO_TOKEN: 'x', GIT_URL: 'https://x', GIT_TOKEN: 'y' }]) {
    rejects(e, 'AZDO_ORG_URL', /^AZDO_ORG_URL: is not set\. Set it to your organization URL\. For example AZDO_ORG_URL=https:\/\/dev\.azure\.com\/my-org$/);
  }
});

test('no secret appears in a ConfigError about another variable', () => {
  const e = rejects(env({ POLL_INTERVAL_SECONDS: 'x' }), 'POLL_INTERVAL_SECONDS', /whole number/);
  assert.doesNotMatch(e.message, new RegExp(`${AZDO_TOKEN}|${GIT_TOKEN}`));
});

// *_FILE secrets are files by definition: these tests read (never write outside a temp dir).
const dir = mkdtempSync(join(tmpdir(), 'azdo-gitops-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('(reads a file) a *_FILE secret is read, trimmed, and wins over the variable', () => {
  const azdo = join(dir, 'azdo-token');
  const git = join(dir, 'git-token');
  writeFileSync(azdo, 'from-file-azdo\n');
  writeFileSync(git, '  from-file-git  \n');
  const c = loadConfig(env({ AZDO_TOKEN_FILE: azdo, GIT_TOKEN: undefined, GIT_TOKEN_FILE: git }));
  assert.equal(c.azdo.token, 'from-file-azdo');
  assert.equal(c.git.token, 'from-file-git');
});

test('(reads a file) an empty *_FILE secret is an error naming the _FILE variable', () => {
  const empty = join(dir, 'empty');
  writeFileSync(empty, ' \n');
  const e = rejects(env({ GIT_TOKEN_FILE: empty }), 'GIT_TOKEN_FILE', /the file .*empty is empty\. Set it to a token/);
  assert.doesNotMatch(e.message, new RegExp(GIT_TOKEN));
});

test('(reads a file) an unreadable *_FILE secret is an error naming the _FILE variable', () => {
  rejects(env({ AZDO_TOKEN_FILE: join(dir, 'missing') }), 'AZDO_TOKEN_FILE', /cannot read the file .*missing\. Mount the Secret there/);
});

test('a blank *_FILE is ignored and the variable itself is used', () => {
  assert.equal(loadConfig(env({ AZDO_TOKEN_FILE: '' })).azdo.token, AZDO_TOKEN);
});

// The corpus of bad settings a Deployment someone edited may carry. Each must stop start-up with
// a ConfigError naming the variable, saying what is wrong, and giving a valid example.
describe('a corpus of bad settings: each names the variable, the problem and a valid example', () => {
  const notAFile = mkdtempSync(join(tmpdir(), 'azdo-gitops-kubeconfig-dir-'));
  after(() => rmSync(notAFile, { recursive: true, force: true }));
  const corpus: [string, Env, string, RegExp, string][] = [
    ['port out of range', { HTTP_PORT: '99999' }, 'HTTP_PORT', /must be a whole number from 0 to 65535, got "99999"/, 'HTTP_PORT=8080'],
    ['negative port', { HTTP_PORT: '-1' }, 'HTTP_PORT', /from 0 to 65535, got "-1"/, 'HTTP_PORT=8080'],
    ['unknown log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /must be one of debug, info, warn, error, got "verbose"/, 'LOG_LEVEL=info'],
    ['log level spelled out', { LOG_LEVEL: 'warning' }, 'LOG_LEVEL', /got "warning"/, 'LOG_LEVEL=info'],
    ['unknown log format', { LOG_FORMAT: 'txt' }, 'LOG_FORMAT', /must be one of json, text, got "txt"/, 'LOG_FORMAT=json'],
    ['kubeconfig file missing', { KUBECONFIG: '/nonexistent/kubeconfig' }, 'KUBECONFIG', /the file \/nonexistent\/kubeconfig does not exist\. Mount the kubeconfig there, fix the path, or unset KUBECONFIG in a cluster/, 'KUBECONFIG=/etc/azdo-gitops/kubeconfig'],
    ['kubeconfig is a directory', { KUBECONFIG: notAFile }, 'KUBECONFIG', /is not a file/, 'KUBECONFIG=/etc/azdo-gitops/kubeconfig'],
    ['kubeconfig list, as kubectl takes', { KUBECONFIG: '/nonexistent/a:/nonexistent/b' }, 'KUBECONFIG', /a list of files, as kubectl takes, is not supported/, 'KUBECONFIG=/etc/azdo-gitops/kubeconfig'],
    ['Azure Repos SSH URL', { GIT_URL: 'git@ssh.dev.azure.com:v3/acme/infra/cluster' }, 'GIT_URL', /is an SSH URL .* HTTPS only .*Use the HTTPS URL of the same repository: https:\/\/dev\.azure\.com\/acme\/infra\/_git\/cluster/, 'GIT_URL=https://dev.azure.com/my-org/my-project/_git/cluster'],
    ['ssh:// URL', { GIT_URL: 'ssh://git@github.com/acme/cluster.git' }, 'GIT_URL', /is an SSH URL .*isomorphic-git, has no SSH.*HTTPS clone URL/, 'GIT_URL=https://dev.azure.com/my-org/my-project/_git/cluster'],
    ['SSH URL with a password', { GIT_URL: 'ssh://bot:s3cr3t-pass@git.example.com/acme/cluster.git' }, 'GIT_URL', /is an SSH URL \("ssh:\/\/git\.example\.com\/acme\/cluster\.git"\)/, 'GIT_URL=https://dev.azure.com/my-org/my-project/_git/cluster'],
    ['scp-style GitHub URL', { GIT_URL: 'git@github.com:acme/cluster.git' }, 'GIT_URL', /is an SSH URL/, 'GIT_URL=https://dev.azure.com/my-org/my-project/_git/cluster'],
    ['project URL as organization', { AZDO_ORG_URL: 'https://dev.azure.com/acme/infra' }, 'AZDO_ORG_URL', /is not an organization URL .*The organization URL is https:\/\/dev\.azure\.com\/acme\./, 'AZDO_ORG_URL=https://dev.azure.com/my-org'],
    ['no organization in the URL', { AZDO_ORG_URL: 'https://dev.azure.com/' }, 'AZDO_ORG_URL', /names no organization/, 'AZDO_ORG_URL=https://dev.azure.com/my-org'],
    ['organization without scheme', { AZDO_ORG_URL: 'dev.azure.com/acme' }, 'AZDO_ORG_URL', /is not a URL/, 'AZDO_ORG_URL=https://dev.azure.com/my-org'],
    ['full ref as branch', { GIT_BRANCH: 'refs/heads/main' }, 'GIT_BRANCH', /"refs\/heads\/main" is not a branch name\. Give the short name/, 'GIT_BRANCH=main'],
    ['branch with a space', { GIT_BRANCH: 'my branch' }, 'GIT_BRANCH', /is not a branch name/, 'GIT_BRANCH=main'],
    ['author e-mail without @', { GIT_AUTHOR_EMAIL: 'bot' }, 'GIT_AUTHOR_EMAIL', /"bot" is not an e-mail address/, 'GIT_AUTHOR_EMAIL=azdo-gitops@example.com'],
    ['no push attempts', { GIT_PUSH_ATTEMPTS: '0' }, 'GIT_PUSH_ATTEMPTS', /from 1 to 100, got "0"/, 'GIT_PUSH_ATTEMPTS=5'],
    ['interval with a unit', { POLL_INTERVAL_SECONDS: '15s' }, 'POLL_INTERVAL_SECONDS', /must be a whole number from 1 to 86400, got "15s"/, 'POLL_INTERVAL_SECONDS=15'],
    ['leader election word', { LEADER_ELECTION: 'enabled' }, 'LEADER_ELECTION', /must be true or false, got "enabled"/, 'LEADER_ELECTION=true'],
    ['Lease name with capitals', { LEASE_NAME: 'Azdo_Gitops' }, 'LEASE_NAME', /"Azdo_Gitops" is not a valid Lease name/, 'LEASE_NAME=azdo-gitops'],
    ['Secret name with capitals', { AGENT_TOKEN_SECRET: 'Agent_Token' }, 'AGENT_TOKEN_SECRET', /"Agent_Token" is not a valid Secret name/, 'AGENT_TOKEN_SECRET=azdo-agent-token'],
    ['Secret key with a space', { AGENT_TOKEN_SECRET_KEY: 'pat token' }, 'AGENT_TOKEN_SECRET_KEY', /"pat token" is not a valid Secret key/, 'AGENT_TOKEN_SECRET_KEY=token'],
    ['sync request without namespace', { SYNC_REQUEST: 'flux:cluster' }, 'SYNC_REQUEST', /must be flux:<namespace>\/<gitrepository> or argocd:<namespace>\/<application>, got "flux:cluster"/, 'SYNC_REQUEST=flux:flux-system/cluster'],
    ['backoff max below initial', { POD_FAILURE_BACKOFF_SECONDS: '600,30' }, 'POD_FAILURE_BACKOFF_SECONDS', /0 < initial ≤ max, got "600,30"/, 'POD_FAILURE_BACKOFF_SECONDS=30,600'],
    ['cron word', { GIT_RECLONE_CRON: 'hourly' }, 'GIT_RECLONE_CRON', /is not a cron expression: "hourly"\. Five fields/, 'GIT_RECLONE_CRON="7 * * * *"'],
    ['namespace with capitals', { TARGET_NAMESPACE: 'Agents' }, 'TARGET_NAMESPACE', /"Agents" is not a valid namespace name/, 'TARGET_NAMESPACE=azdo-agents'],
    ['global cap of zero', { MAX_AGENTS: '0' }, 'MAX_AGENTS', /from 1 up, got "0"/, 'MAX_AGENTS=50'],
    ['standby as a word', { STANDBY_AGENT_COUNT: 'one' }, 'STANDBY_AGENT_COUNT', /from 0 up, got "one"/, 'STANDBY_AGENT_COUNT=1'],
    ['token missing', { AZDO_TOKEN: undefined }, 'AZDO_TOKEN', /is not set\. Set it to a PAT with scope "Agent Pools \(Read & manage\)", or AZDO_TOKEN_FILE/, 'AZDO_TOKEN=<PAT>'],
    ['token file missing', { GIT_TOKEN_FILE: '/nonexistent/git-token' }, 'GIT_TOKEN_FILE', /cannot read the file \/nonexistent\/git-token\. Mount the Secret there or set GIT_TOKEN itself/, 'GIT_TOKEN_FILE=/var/run/secrets/azdo-gitops/git-token'],
  ];
  for (const [what, over, variable, problem, example] of corpus) {
    it(`${what}: ${Object.entries(over).map(([k, v]) => `${k}=${v ?? '(unset)'}`).join(' ')}`, () => {
      const e = rejects(env(over), variable, problem);
      assert.ok(e.message.endsWith(`For example ${example}`), `ends with a valid example: ${e.message}`);
      assert.equal(e.message.split('\n').length, 1, 'one line');
    });
  }
  it('holds at least 20 bad settings', () => assert.ok(corpus.length >= 20));
});

test('LOG_LEVEL and LOG_FORMAT are read in any case; ports 0 and 65535 are fine', () => {
  const c = loadConfig(env({ LOG_LEVEL: 'WARN', LOG_FORMAT: 'Text', HTTP_PORT: '65535' }));
  assert.deepEqual(c.log, { level: 'warn', format: 'text' });
  assert.equal(c.httpPort, 65535);
  assert.equal(loadConfig(env({ HTTP_PORT: '0' })).httpPort, 0);
});

test('the examples in errors are themselves valid settings', () => {
  const c = loadConfig(env({ GIT_URL: 'https://dev.azure.com/my-org/my-project/_git/cluster', AZDO_ORG_URL: 'https://dev.azure.com/my-org', GIT_RECLONE_CRON: '7 * * * *', SYNC_REQUEST: 'flux:flux-system/cluster' }));
  assert.equal(c.git.url, 'https://dev.azure.com/my-org/my-project/_git/cluster');
});
