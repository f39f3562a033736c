// startAzdoEmulator(): an Azure DevOps organization (agent pools, agents, job requests, the
// agent session/message protocol) that the published azure-devops-node-api client talks to.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Emulator } from './context.ts';
import { Faults } from './faults.ts';
import { Router } from './router.ts';
import { agentRoutes } from './routes/agents.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { JobListing } from './jobListing.ts';
import { jobRequestRoutes } from './routes/jobRequests.ts';
import { poolRoutes } from './routes/pools.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { Scheduler } from './scheduler.ts';
import { createEmulatorServer } from './server.ts';
import { EmulatorState } from './state.ts';
import { Stats } from './stats.ts';
import { DEFAULT_THROTTLE, Throttle } from './throttle.ts';
import type { ThrottleConfig } from './throttle.ts';
import { Wire } from './wire.ts';

export type { ThrottleConfig } from './throttle.ts';
export type { FaultConfig } from './faults.ts';
export type { TaskResult } from './state.ts';

export interface AzdoEmulatorOptions {
  /** The PAT clients must send (basic auth password). Default: random. */
  token?: string;
  /** More accepted PATs, each its own throttling identity. */
  extraTokens?: readonly string[];
  /** Organization name: the org URL is `http://127.0.0.1:<port>/<org>`. Default `sandbox-org`. */
  org?: string;
  /** Pools that exist at start. Default `['k8s-agents']`. */
  pools?: readonly string[];
  /** An agent is assignable again this long after its last job finished. Default 1000. */
  agentCooldownMs?: number;
  /** Longest a getMessage long-poll waits. Default 1000. */
  messageLongPollMs?: number;
  /** Idle sessions (no poll, no running job) expire after this; the agent goes offline. Default 30000. */
  sessionIdleTimeoutMs?: number;
  /** Default job duration from receiveTime when POST /_admin/jobs gives none. Default 1000. */
  defaultJobDurationMs?: number;
  /** The service adds `Agent.Version -gtVersion <this>` to every job. Default `2.0.0`. */
  minAgentVersion?: string;
  /** Throttle budget per identity. Default 200 TSTU / 300 s at 0.005 TSTU a request. */
  throttle?: Partial<ThrottleConfig>;
  /** Port to bind on 127.0.0.1. Default 0 (a free port). */
  port?: number;
  /**
   * Serve HTTPS, as the service does, with this key and certificate (e.g. the sandbox's
   * `selfSignedCert()`; clients must trust it). Default: plain HTTP.
   */
  tls?: { readonly keyPem: string; readonly certPem: string };
}

export interface AzdoEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/<org>`: what WebApi takes. */
  orgUrl: string;
  token: string;
  /** `http://127.0.0.1:<port>/_admin` */
  adminUrl: string;
  /** The emulator's state and scheduler, for in-process tools that build large worlds (bench/). */
  readonly emu: Emulator;
  close(): Promise<void>;
}

function randomToken(): string {
  // PAT-like: 52 lower-case base-32 characters.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(52)].map((b) => alphabet[b % 32]).join('');
}

export async function startAzdoEmulator(opts: AzdoEmulatorOptions = {}): Promise<AzdoEmulator> {
  const token = opts.token ?? randomToken();
  const org = opts.org ?? 'sandbox-org';
  const state = new EmulatorState();
  for (const name of opts.pools ?? ['k8s-agents']) state.addPool(name);
  const scheduler = new Scheduler(state, {
    agentCooldownMs: opts.agentCooldownMs ?? 1000,
    minAgentVersion: opts.minAgentVersion ?? '2.0.0',
    sessionIdleTimeoutMs: opts.sessionIdleTimeoutMs ?? 30_000,
    defaultJobDurationMs: opts.defaultJobDurationMs ?? 1000,
  });
  let orgUrl = '';
  const wire = new Wire(state, () => orgUrl);
  const emu: Emulator = {
    state,
    scheduler,
    wire,
    listing: new JobListing(state, scheduler.eligibility, wire),
    messageLongPollMs: opts.messageLongPollMs ?? 1000,
    closing: false,
    wakeAll() {
      for (const session of state.sessions.values()) for (const wake of [...session.waiters]) wake();
    },
  };
  const router = new Router();
  router.add(...discoveryRoutes, ...poolRoutes, ...agentRoutes, ...jobRequestRoutes, ...sessionRoutes);
  const server = createEmulatorServer({
    emu, router, org,
    tokens: [token, ...(opts.extraTokens ?? [])],
    faults: new Faults(),
    throttle: new Throttle({ ...DEFAULT_THROTTLE, ...opts.throttle }),
    stats: new Stats(),
    tls: opts.tls,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  orgUrl = `${url}/${org}`;
  scheduler.start();
  let closed: Promise<void> | undefined;
  return {
    url,
    orgUrl,
    token,
    adminUrl: `${url}/_admin`,
    emu,
    close() {
      closed ??= new Promise<void>((resolve) => {
        emu.closing = true;
        scheduler.stop();
        emu.wakeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
