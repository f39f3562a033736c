// Environment → validated Config, parsed once at start-up. Nothing else reads process.env.
// SETTINGS is the one table of every variable: its name, aliases, default, parser, a valid
// example and its meaning. README.md's configuration table is printed from it
// (tools/configTable.ts) and a unit test keeps the two equal.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cron } from 'croner';
import { parseSyncTarget, type SyncTarget } from './syncTarget.ts';
import { ConfigError } from '../errors/configError.ts';
import { DEFAULT_DEADLINES } from '../agentspec/agentSpec.ts';
import { redactUrl } from '../support/redact.ts';
import { DEFAULT_BACKOFF_SCHEDULE, type BackoffSchedule } from '../plan/podFailureBackoff.ts';
import type { SpecDefaults } from '../agentspec/specDefaults.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'text';

export interface Config {
  readonly azdo: { readonly orgUrl: string; readonly token: string };
  readonly git: {
    readonly url: string;
    readonly branch: string;
    readonly username: string;
    readonly token: string;
    readonly authorName: string;
    readonly authorEmail: string;
  };
  readonly paths: { readonly agents: string; readonly specs: string; readonly templates: string };
  readonly cluster: {
    /** undefined: in-cluster config, else the kubeconfig file. */
    readonly kubeconfig: string | undefined;
    readonly namespace: string;
    readonly leaseName: string;
    readonly leaderElection: boolean;
    /** The Lease holder identity (POD_NAME); undefined: host name plus a random suffix. */
    readonly podName: string | undefined;
  };
  readonly pollIntervalSeconds: number;
  readonly globalMaxAgents: number;
  readonly specDefaults: SpecDefaults;
  readonly stateDir: string;
  /** Port of /healthz, /readyz, /metrics; 0 disables. */
  readonly httpPort: number;
  readonly pushAttempts: number;
  /** When the git cache is replaced by a fresh shallow clone (cron expression of 5 fields, or 6 with seconds first; croner syntax). */
  readonly gitRecloneCron: string;
  /** The GitRepository or Application to nudge after each push (SYNC_REQUEST). */
  readonly syncTarget: SyncTarget | undefined;
  /** How long a spec whose pods fail is held back (POD_FAILURE_BACKOFF_SECONDS). */
  readonly podFailureBackoff: BackoffSchedule;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
}

type Env = Readonly<Record<string, string | undefined>>;

/** What a parser throws; read() turns it into a ConfigError with the variable's name and example. */
class Invalid extends Error {
  readonly hint: string | undefined;
  constructor(problem: string, hint?: string) {
    super(problem);
    this.hint = hint;
  }
}

export interface Setting<T> {
  readonly aliases?: readonly string[];
  /** The value used when unset; undefined: the setting is required. */
  readonly default?: string;
  /** The default as the README shows it, when it is not the literal `default` (e.g. computed). */
  readonly shownDefault?: string;
  /** NAME_FILE names a file holding the value (a mounted Secret). */
  readonly fromFile?: boolean;
  /** A valid value, shown in every error about this variable. */
  readonly example: string;
  /** One line: what it is for. */
  readonly meaning: string;
  /** What to do when a required setting is unset (or its file empty). */
  readonly missing?: string;
  readonly parse: (raw: string) => T;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

// --- parsers -------------------------------------------------------------------------------

const text = (raw: string): string => raw;

function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `from ${min} up` : `from ${min} to ${max}`;
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || (max !== undefined && n > max)) throw new Invalid(`must be a whole number ${range}, got "${raw}"`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    const v = raw.toLowerCase();
    const found = values.find((x) => x === v);
    if (!found) throw new Invalid(`must be one of ${values.join(', ')}, got "${raw}"`);
    return found;
  };
}

function bool(raw: string): boolean {
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new Invalid(`must be true or false, got "${raw}"`);
}

// Kubernetes object names: RFC 1123 labels (namespaces) and DNS subdomains (Secrets, Leases).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function k8sName(kind: string, re: RegExp, maxLength: number) {
  return (raw: string): string => {
    if (!re.test(raw) || raw.length > maxLength) throw new Invalid(`"${raw}" is not a valid ${kind} name (lower-case letters, digits and dashes, at most ${maxLength} characters)`);
    return raw;
  };
}

function secretKey(raw: string): string {
  if (!/^[-._a-zA-Z0-9]+$/.test(raw) || raw.length > 253) throw new Invalid(`"${raw}" is not a valid Secret key (letters, digits, -, _ and .)`);
  return raw;
}

/** Azure Repos SSH URL → its HTTPS clone URL (same repository). */
function azureReposHttps(ssh: string): string | undefined {
  const m = /^(?:ssh:\/\/)?git@ssh\.dev\.azure\.com(?::|:22\/|\/)v3\/([^/]+)\/([^/]+)\/([^/]+?)\/?$/.exec(ssh);
  return m ? `https://dev.azure.com/${m[1]}/${m[2]}/_git/${m[3]}` : undefined;
}

function httpUrl(raw: string, what: string): URL {
  if (/^ssh:\/\//i.test(raw) || /^[\w.-]+@[\w.-]+:(?!\/\/)/.test(raw)) {
    const https = azureReposHttps(raw);
    throw new Invalid(
      `is an SSH URL ("${redactUrl(raw)}"), but azdo-gitops speaks HTTPS only (its git client, isomorphic-git, has no SSH)`,
      https
        ? `Use the HTTPS URL of the same repository: ${https}, with a PAT in GIT_TOKEN.`
        : 'Use the repository\'s HTTPS clone URL (Azure Repos: Repos → Clone → HTTPS), with a token in GIT_TOKEN.',
    );
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Invalid(`is not a URL: "${redactUrl(raw)}"`, `Set it to the ${what}.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new Invalid(`must be an http(s) URL, got ${u.protocol}`, 'Azure DevOps and isomorphic-git speak HTTPS only.');
  }
  if (u.username || u.password) {
    throw new Invalid('must not carry credentials', 'Put the token in the *_TOKEN variable (or *_TOKEN_FILE) instead.');
  }
  return u;
}

function orgUrl(raw: string): string {
  const u = httpUrl(raw, 'organization URL');
  const segments = u.pathname.split('/').filter(Boolean);
  if (u.hostname.toLowerCase() === 'dev.azure.com' && segments.length !== 1) {
    throw new Invalid(
      segments.length === 0 ? 'names no organization' : `is not an organization URL ("${redactUrl(raw)}" names a path below the organization)`,
      segments.length === 0 ? 'Add the organization to the path.' : `The organization URL is https://dev.azure.com/${segments[0]}.`,
    );
  }
  if (u.search || u.hash) throw new Invalid(`must not have a query or fragment, got "${redactUrl(raw)}"`);
  return raw.replace(/\/+$/, '');
}

function gitUrl(raw: string): string {
  httpUrl(raw, 'HTTPS clone URL of the cluster repository');
  return raw.replace(/\/+$/, '');
}

function branch(raw: string): string {
  // git check-ref-format, the parts a typo hits.
  if (/[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//.test(raw) || raw.startsWith('refs/')) {
    throw new Invalid(`"${raw}" is not a branch name`, 'Give the short name, without refs/heads/.');
  }
  return raw;
}

function relPath(raw: string): string {
  const v = raw.replace(/^\.?\/+|\/+$/g, '');
  if (!v || v.split('/').includes('..')) throw new Invalid(`must be a path inside the repository, got "${raw}"`);
  return v;
}

function email(raw: string): string {
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(raw)) throw new Invalid(`"${raw}" is not an e-mail address`);
  return raw;
}

/** Compiled by the same library that schedules it (loop/controller.ts); no timer starts without a callback. */
function isCron(raw: string): boolean {
  try {
    new Cron(raw, { mode: '5-or-6-parts' });
    return true;
  } catch {
    return false;
  }
}

function cronExpression(raw: string): string {
  if (!isCron(raw)) throw new Invalid(`is not a cron expression: "${raw}"`, 'Five fields: minute hour day month weekday.');
  return raw;
}

function kubeconfigFile(raw: string): string {
  let isFile = false;
  try {
    isFile = statSync(raw).isFile();
  } catch {
    const list = raw.includes(':') ? ' (a list of files, as kubectl takes, is not supported: name one file)' : '';
    throw new Invalid(`the file ${raw} does not exist${list}`, 'Mount the kubeconfig there, fix the path, or unset KUBECONFIG in a cluster (the ServiceAccount is used then).');
  }
  if (!isFile) throw new Invalid(`${raw} is not a file`, 'Name the kubeconfig file itself.');
  try {
    accessSync(raw, constants.R_OK);
  } catch {
    throw new Invalid(`the file ${raw} is not readable by this process`, 'Make it readable by the user azdo-gitops runs as.');
  }
  return raw;
}

function syncRequest(raw: string): SyncTarget {
  const t = parseSyncTarget(raw);
  if (!t) throw new Invalid(`must be flux:<namespace>/<gitrepository> or argocd:<namespace>/<application>, got "${raw}"`);
  return t;
}

function backoff(raw: string): BackoffSchedule {
  const m = /^(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)$/.exec(raw);
  const initialSeconds = Number(m?.[1]);
  const maxSeconds = Number(m?.[2]);
  if (!m || !(initialSeconds > 0) || maxSeconds < initialSeconds) {
    throw new Invalid(`must be "<initial>,<max>" in seconds with 0 < initial ≤ max, got "${raw}"`, 'E.g. hold a failing spec 30 s, doubling to 10 min.');
  }
  return { initialSeconds, maxSeconds };
}

// --- the table -----------------------------------------------------------------------------

const B = DEFAULT_BACKOFF_SCHEDULE;

/** Every environment variable azdo-gitops reads, in the order the README lists them. */
export const SETTINGS = {
  AZDO_ORG_URL: setting({ missing: 'Set it to your organization URL', aliases: ['AZDO_ORG_URI'], example: 'https://dev.azure.com/my-org', meaning: 'organization URL', parse: orgUrl }),
  AZDO_TOKEN: setting({ missing: 'Set it to a PAT with scope "Agent Pools (Read & manage)", or AZDO_TOKEN_FILE to a file holding it', fromFile: true, example: '<PAT>', meaning: 'PAT with *Agent Pools (Read & manage)*', parse: text }),
  GIT_URL: setting({ missing: 'Set it to the HTTPS URL of the cluster repository Flux/Argo CD syncs', example: 'https://dev.azure.com/my-org/my-project/_git/cluster', meaning: 'HTTPS URL of the cluster repo (SSH is refused: isomorphic-git speaks HTTP(S) only)', parse: gitUrl }),
  GIT_TOKEN: setting({ missing: 'Set it to a token that may push to GIT_URL (Azure Repos: a PAT with Code (Read & write)), or GIT_TOKEN_FILE to a file holding it', fromFile: true, example: '<token>', meaning: 'push token (Azure Repos: PAT with *Code (Read & write)*)', parse: text }),
  GIT_USERNAME: setting({ default: 'azdo-gitops', example: 'azdo-gitops', meaning: 'user name sent with GIT_TOKEN', parse: text }),
  GIT_BRANCH: setting({ default: 'main', example: 'main', meaning: 'branch Flux/Argo CD sync', parse: branch }),
  AGENTS_PATH: setting({ default: 'agents', example: 'agents', meaning: 'directory of agent pod manifests in the repo', parse: relPath }),
  SPECS_PATH: setting({ default: 'agentspecs', example: 'agentspecs', meaning: 'directory of AgentSpecs in the repo', parse: relPath }),
  TEMPLATES_PATH: setting({ default: 'templates', example: 'templates', meaning: 'directory of pod templates in the repo', parse: relPath }),
  GIT_AUTHOR_NAME: setting({ default: 'azdo-gitops', example: 'azdo-gitops', meaning: 'commit author name', parse: text }),
  GIT_AUTHOR_EMAIL: setting({ default: 'azdo-gitops@users.noreply.local', example: 'azdo-gitops@example.com', meaning: 'commit author e-mail', parse: email }),
  GIT_PUSH_ATTEMPTS: setting({ default: '5', example: '5', meaning: 'pushes per pass before giving up (re-derived each time)', parse: wholeNumber(1, 100) }),
  GIT_RECLONE_CRON: setting({ default: '7 * * * *', example: '"7 * * * *"', meaning: 'when the shallow git cache is replaced by a fresh clone', parse: cronExpression }),
  TARGET_NAMESPACE: setting({ default: 'azdo-agents', example: 'azdo-agents', meaning: 'namespace of pods, the Lease and events', parse: k8sName('namespace', DNS_LABEL, 63) }),
  KUBECONFIG: setting({ shownDefault: 'in-cluster', example: '/etc/azdo-gitops/kubeconfig', meaning: 'kubeconfig file outside a cluster (must exist and be readable)', parse: kubeconfigFile }),
  POLL_INTERVAL_SECONDS: setting({ default: '15', example: '15', meaning: 'pass interval (a completed pod triggers one at once)', parse: wholeNumber(1, 86_400) }),
  POD_FAILURE_BACKOFF_SECONDS: setting({
    default: `${B.initialSeconds},${B.maxSeconds}`,
    example: `${B.initialSeconds},${B.maxSeconds}`,
    meaning: '`<initial>,<max>`: how long a spec whose pods fail is held back, doubling per failure',
    parse: backoff,
  }),
  MAX_AGENTS: setting({ shownDefault: '`50` (at least `MAX_AGENT_COUNT`)', example: '50', meaning: 'cap across all specs', parse: wholeNumber(1) }),
  AZDO_POOL: setting({ aliases: ['AZDO_POOLNAME'], default: 'k8s-agents', example: 'k8s-agents', meaning: 'pool of legacy specs', parse: text }),
  STANDBY_AGENT_COUNT: setting({ default: '0', example: '1', meaning: 'idle agents kept ready, legacy specs', parse: wholeNumber(0) }),
  MAX_AGENT_COUNT: setting({ default: '10', example: '10', meaning: 'agents per legacy spec at most', parse: wholeNumber(1) }),
  AGENT_TOKEN_SECRET: setting({ default: 'azdo-agent-token', example: 'azdo-agent-token', meaning: 'Secret legacy pods reference', parse: k8sName('Secret', DNS_SUBDOMAIN, 253) }),
  AGENT_TOKEN_SECRET_KEY: setting({ default: 'token', example: 'token', meaning: 'key of the PAT in that Secret', parse: secretKey }),
  LEADER_ELECTION: setting({ default: 'true', example: 'true', meaning: 'one writer per branch (a Lease)', parse: bool }),
  LEASE_NAME: setting({ default: 'azdo-gitops', example: 'azdo-gitops', meaning: 'name of that Lease', parse: k8sName('Lease', DNS_SUBDOMAIN, 253) }),
  POD_NAME: setting({ shownDefault: 'host name + random suffix', example: 'azdo-gitops-7d9f8-x2k4p', meaning: 'Lease holder identity (the Deployment sets it from metadata.name)', parse: text }),
  SYNC_REQUEST: setting({ shownDefault: '—', default: '', example: 'flux:flux-system/cluster', meaning: '`flux:<ns>/<gitrepository>` or `argocd:<ns>/<application>`: ask for a sync right after each push', parse: (raw) => (raw ? syncRequest(raw) : undefined) }),
  HTTP_PORT: setting({ default: '8080', example: '8080', meaning: '`/healthz`, `/readyz`, `/metrics` (0 disables)', parse: wholeNumber(0, 65_535) }),
  STATE_DIR: setting({ shownDefault: '`$TMPDIR/azdo-gitops`', example: '/var/lib/azdo-gitops', meaning: 'shallow git cache', parse: text }),
  LOG_LEVEL: setting({ default: 'info', example: 'info', meaning: '`debug`, `info`, `warn` or `error`', parse: oneOf<LogLevel>(['debug', 'info', 'warn', 'error']) }),
  LOG_FORMAT: setting({ default: 'json', example: 'json', meaning: '`json` or `text`', parse: oneOf<LogFormat>(['json', 'text']) }),
} as const;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<N extends SettingName> = ReturnType<(typeof SETTINGS)[N]['parse']>;

const fileExample = (n: string): string => `For example ${n}_FILE=/var/run/secrets/azdo-gitops/${n.toLowerCase().replace(/_/g, '-')}`;

/** The variable that was set (the name or an alias) and its trimmed value; NAME_FILE read for secrets. */
function lookup(env: Env, name: SettingName): [string, string] | undefined {
  const s: Setting<unknown> = SETTINGS[name];
  for (const n of [name, ...(s.aliases ?? [])]) {
    if (s.fromFile) {
      const file = env[`${n}_FILE`]?.trim();
      if (file) {
        let v: string;
        try {
          v = readFileSync(file, 'utf8').trim();
        } catch {
          throw new ConfigError(`${n}_FILE`, `cannot read the file ${file}`, `Mount the Secret there or set ${n} itself. ${fileExample(n)}`);
        }
        if (!v) throw new ConfigError(`${n}_FILE`, `the file ${file} is empty`, `${s.missing ?? 'Write the value into it'}. ${fileExample(n)}`);
        return [`${n}_FILE`, v];
      }
    }
    const v = env[n]?.trim();
    if (v) return [n, v];
  }
  return undefined;
}

/** One setting, parsed; a missing required or malformed value is a ConfigError with an example. */
export function read<N extends SettingName>(env: Env, name: N, fallback?: string): ValueOf<N> {
  const s: Setting<unknown> = SETTINGS[name];
  const found = lookup(env, name);
  const example = `For example ${name}=${s.example}`;
  if (!found) {
    const d = fallback ?? s.default;
    if (d === undefined) throw new ConfigError(name, 'is not set', `${s.missing ?? `Set it to the ${s.meaning}`}. ${example}`);
    return s.parse(d) as ValueOf<N>;
  }
  const [variable, raw] = found;
  try {
    return s.parse(raw) as ValueOf<N>;
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const shown = variable.endsWith('_FILE') ? `${name} (from ${variable})` : variable;
    throw new ConfigError(shown, err.message, `${err.hint ? `${err.hint} ` : ''}${example}`);
  }
}

/** Where specs, templates and agent manifests live in the cluster repo. */
export function pathsFrom(env: Env): Config['paths'] {
  return { agents: read(env, 'AGENTS_PATH'), specs: read(env, 'SPECS_PATH'), templates: read(env, 'TEMPLATES_PATH') };
}

/** What a spec leaves out, including the predecessor's env vars for its azdo.octolamp.nl/v1 specs. */
export function specDefaultsFrom(env: Env): SpecDefaults {
  return {
    pool: read(env, 'AZDO_POOL'),
    standby: read(env, 'STANDBY_AGENT_COUNT'),
    maxAgents: read(env, 'MAX_AGENT_COUNT'),
    namespace: read(env, 'TARGET_NAMESPACE'),
    tokenSecretRef: { name: read(env, 'AGENT_TOKEN_SECRET'), key: read(env, 'AGENT_TOKEN_SECRET_KEY') },
    deadlines: DEFAULT_DEADLINES,
  };
}

/** `<initial>,<max>` seconds: the first hold and the cap it doubles up to. */
export function backoffScheduleFrom(env: Env): BackoffSchedule {
  return read(env, 'POD_FAILURE_BACKOFF_SECONDS');
}

/** LOG_LEVEL and LOG_FORMAT alone: what every command needs before anything else is read. */
export function logSettingsFrom(env: Env): Config['log'] {
  return { level: read(env, 'LOG_LEVEL'), format: read(env, 'LOG_FORMAT') };
}

/** AZDO_ORG_URL and AZDO_TOKEN alone: what a read-only look at the pools needs (`diff --live`). */
export function azdoFrom(env: Env): Config['azdo'] {
  return { orgUrl: read(env, 'AZDO_ORG_URL'), token: read(env, 'AZDO_TOKEN') };
}

export function loadConfig(env: Env): Config {
  const log = logSettingsFrom(env);
  const azdo = azdoFrom(env);
  const git = {
    url: read(env, 'GIT_URL'),
    branch: read(env, 'GIT_BRANCH'),
    username: read(env, 'GIT_USERNAME'),
    token: read(env, 'GIT_TOKEN'),
    authorName: read(env, 'GIT_AUTHOR_NAME'),
    authorEmail: read(env, 'GIT_AUTHOR_EMAIL'),
  };
  const specDefaults = specDefaultsFrom(env);
  return {
    azdo,
    git,
    paths: pathsFrom(env),
    cluster: {
      kubeconfig: lookup(env, 'KUBECONFIG') ? read(env, 'KUBECONFIG') : undefined,
      namespace: specDefaults.namespace,
      leaseName: read(env, 'LEASE_NAME'),
      leaderElection: read(env, 'LEADER_ELECTION'),
      podName: lookup(env, 'POD_NAME') ? read(env, 'POD_NAME') : undefined,
    },
    pollIntervalSeconds: read(env, 'POLL_INTERVAL_SECONDS'),
    globalMaxAgents: read(env, 'MAX_AGENTS', String(Math.max(50, specDefaults.maxAgents))),
    specDefaults,
    stateDir: read(env, 'STATE_DIR', join(tmpdir(), 'azdo-gitops')),
    httpPort: read(env, 'HTTP_PORT'),
    pushAttempts: read(env, 'GIT_PUSH_ATTEMPTS'),
    gitRecloneCron: read(env, 'GIT_RECLONE_CRON'),
    syncTarget: read(env, 'SYNC_REQUEST'),
    podFailureBackoff: backoffScheduleFrom(env),
    log,
  };
}
