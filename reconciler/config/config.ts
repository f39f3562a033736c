// Environment → validated Config, parsed once at start-up. Nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cron from 'node-cron';
import { parseSyncTarget, type SyncTarget } from '../cluster/syncRequester.ts';
import { ConfigError } from '../errors/configError.ts';
import { DEFAULT_DEADLINES } from '../spec/agentSpec.ts';
import { redactUrl } from '../gitops/redact.ts';
import { DEFAULT_BACKOFF_SCHEDULE, type BackoffSchedule } from '../plan/podFailureBackoff.ts';
import type { SpecDefaults } from '../spec/specDefaults.ts';

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
  };
  readonly pollIntervalSeconds: number;
  readonly globalMaxAgents: number;
  readonly specDefaults: SpecDefaults;
  readonly stateDir: string;
  /** Port of /healthz, /readyz, /metrics; 0 disables. */
  readonly httpPort: number;
  readonly pushAttempts: number;
  /** When the git cache is replaced by a fresh shallow clone (node-cron expression). */
  readonly gitRecloneCron: string;
  /** The GitRepository or Application to nudge after each push (SYNC_REQUEST). */
  readonly syncTarget: SyncTarget | undefined;
  /** How long a spec whose pods fail is held back (POD_FAILURE_BACKOFF_SECONDS). */
  readonly podFailureBackoff: BackoffSchedule;
}

type Env = Readonly<Record<string, string | undefined>>;

function first(env: Env, ...names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return [n, v.trim()];
  }
  return undefined;
}

function required(env: Env, fix: string, ...names: string[]): string {
  const found = first(env, ...names);
  if (!found) throw new ConfigError(names[0]!, 'is not set', fix);
  return found[1];
}

/** A secret from `NAME` or from the file named by `NAME_FILE` (a mounted Secret). */
function secret(env: Env, fix: string, ...names: string[]): string {
  for (const n of names) {
    const file = env[`${n}_FILE`];
    if (file) {
      try {
        const v = readFileSync(file, 'utf8').trim();
        if (v) return v;
      } catch {
        throw new ConfigError(`${n}_FILE`, `cannot read the file ${file}`, 'Mount the Secret there or set the variable itself');
      }
      throw new ConfigError(`${n}_FILE`, `the file ${file} is empty`, fix);
    }
  }
  return required(env, fix, ...names);
}

function integer(env: Env, fallback: number, min: number, ...names: string[]): number {
  const found = first(env, ...names);
  if (!found) return fallback;
  const [name, raw] = found;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new ConfigError(name, `must be a whole number ≥ ${min}, got "${raw}"`, `For example ${name}=${Math.max(min, fallback)}`);
  }
  return Number(raw);
}

function bool(env: Env, fallback: boolean, name: string): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`, `For example ${name}=true`);
}

function url(name: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL: "${redactUrl(raw)}"`, 'For example https://dev.azure.com/my-org');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ConfigError(name, `must be an http(s) URL, got ${u.protocol}`, 'isomorphic-git and Azure DevOps speak HTTPS only');
  }
  if (u.username || u.password) {
    throw new ConfigError(name, 'must not carry credentials', 'Put the token in the *_TOKEN variable (or *_TOKEN_FILE) instead');
  }
  return raw.replace(/\/+$/, '');
}

function relPath(env: Env, name: string, fallback: string): string {
  const v = (env[name] ?? fallback).trim().replace(/^\.?\/+|\/+$/g, '');
  if (!v || v.split('/').includes('..')) {
    throw new ConfigError(name, `must be a path inside the repository, got "${env[name]}"`, `For example ${name}=${fallback}`);
  }
  return v;
}

function cronExpression(env: Env, name: string, fallback: string): string {
  const v = (env[name] ?? fallback).trim();
  if (!cron.validate(v)) throw new ConfigError(name, `is not a cron expression: "${v}"`, `For example ${name}="${fallback}" (minute hour day month weekday)`);
  return v;
}

/** Where specs, templates and agent manifests live in the cluster repo. */
export function pathsFrom(env: Env): Config['paths'] {
  return {
    agents: relPath(env, 'AGENTS_PATH', 'agents'),
    specs: relPath(env, 'SPECS_PATH', 'agentspecs'),
    templates: relPath(env, 'TEMPLATES_PATH', 'templates'),
  };
}

/** What a spec leaves out, including the predecessor's env vars for its azdo.octolamp.nl/v1 specs. */
export function specDefaultsFrom(env: Env): SpecDefaults {
  const namespace = (env.TARGET_NAMESPACE ?? 'azdo-agents').trim();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    throw new ConfigError('TARGET_NAMESPACE', `"${namespace}" is not a valid namespace name`, 'Use lower-case letters, digits and dashes, e.g. azdo-agents');
  }
  return {
    pool: first(env, 'AZDO_POOL', 'AZDO_POOLNAME')?.[1] ?? 'k8s-agents',
    standby: integer(env, 0, 0, 'STANDBY_AGENT_COUNT'),
    maxAgents: integer(env, 10, 1, 'MAX_AGENT_COUNT'),
    namespace,
    tokenSecretRef: {
      name: (env.AGENT_TOKEN_SECRET ?? 'azdo-agent-token').trim(),
      key: (env.AGENT_TOKEN_SECRET_KEY ?? 'token').trim(),
    },
    deadlines: DEFAULT_DEADLINES,
  };
}

function syncTargetFrom(env: Env): SyncTarget | undefined {
  const raw = env.SYNC_REQUEST?.trim();
  if (!raw) return undefined;
  const t = parseSyncTarget(raw);
  if (!t) throw new ConfigError('SYNC_REQUEST', `must be flux:<namespace>/<gitrepository> or argocd:<namespace>/<application>, got "${raw}"`, 'For example SYNC_REQUEST=flux:flux-system/cluster');
  return t;
}

/** `<initial>,<max>` seconds: the first hold and the cap it doubles up to. */
export function backoffScheduleFrom(env: Env): BackoffSchedule {
  const name = 'POD_FAILURE_BACKOFF_SECONDS';
  const raw = env[name]?.trim();
  if (!raw) return DEFAULT_BACKOFF_SCHEDULE;
  const m = /^(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)$/.exec(raw);
  const initialSeconds = Number(m?.[1]);
  const maxSeconds = Number(m?.[2]);
  if (!m || !(initialSeconds > 0) || maxSeconds < initialSeconds) {
    throw new ConfigError(
      name,
      `must be "<initial>,<max>" in seconds with 0 < initial ≤ max, got "${raw}"`,
      `For example ${name}=${DEFAULT_BACKOFF_SCHEDULE.initialSeconds},${DEFAULT_BACKOFF_SCHEDULE.maxSeconds} (hold a failing spec 30 s, doubling to 10 min)`,
    );
  }
  return { initialSeconds, maxSeconds };
}

export function loadConfig(env: Env): Config {
  const orgName = first(env, 'AZDO_ORG_URL', 'AZDO_ORG_URI')?.[0] ?? 'AZDO_ORG_URL';
  const orgUrl = url(orgName, required(env, 'Set it to your organization URL, e.g. https://dev.azure.com/my-org', 'AZDO_ORG_URL', 'AZDO_ORG_URI'));
  const token = secret(env, 'Set it to a PAT with scope "Agent Pools (Read & manage)"', 'AZDO_TOKEN');
  const gitUrl = url('GIT_URL', required(env, 'Set it to the HTTPS URL of the cluster repository Flux/Argo CD syncs', 'GIT_URL'));
  const gitToken = secret(env, 'Set it to a token that may push to GIT_URL (Azure Repos: a PAT with Code (Read & write))', 'GIT_TOKEN');
  const specDefaults = specDefaultsFrom(env);
  const namespace = specDefaults.namespace;
  return {
    azdo: { orgUrl, token },
    git: {
      url: gitUrl,
      branch: (env.GIT_BRANCH ?? 'main').trim() || 'main',
      username: (env.GIT_USERNAME ?? 'azdo-gitops').trim() || 'azdo-gitops',
      token: gitToken,
      authorName: (env.GIT_AUTHOR_NAME ?? 'azdo-gitops').trim(),
      authorEmail: (env.GIT_AUTHOR_EMAIL ?? 'azdo-gitops@users.noreply.local').trim(),
    },
    paths: pathsFrom(env),
    cluster: {
      kubeconfig: env.KUBECONFIG?.trim() || undefined,
      namespace,
      leaseName: (env.LEASE_NAME ?? 'azdo-gitops').trim(),
      leaderElection: bool(env, true, 'LEADER_ELECTION'),
    },
    pollIntervalSeconds: integer(env, 15, 1, 'POLL_INTERVAL_SECONDS'),
    globalMaxAgents: integer(env, Math.max(50, specDefaults.maxAgents), 1, 'MAX_AGENTS'),
    specDefaults,
    stateDir: (env.STATE_DIR ?? join(tmpdir(), 'azdo-gitops')).trim(),
    httpPort: integer(env, 8080, 0, 'HTTP_PORT'),
    pushAttempts: integer(env, 5, 1, 'GIT_PUSH_ATTEMPTS'),
    gitRecloneCron: cronExpression(env, 'GIT_RECLONE_CRON', '7 * * * *'),
    syncTarget: syncTargetFrom(env),
    podFailureBackoff: backoffScheduleFrom(env),
  };
}
