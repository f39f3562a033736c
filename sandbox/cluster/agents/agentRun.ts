/**
 * One simulated `run.sh --once` agent: register (add or replace), open a session, take one job,
 * wait for it to finish, delete the session (agent offline, still registered), and report the
 * container's exit through the pod status. Azure DevOps is reached only through
 * azure-devops-node-api; Kubernetes only through its API.
 */
import { hostname } from 'node:os';
import { getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import type { TaskAgent, TaskAgentSession } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { succeededStatus } from '../kubelet/podLifecycle.ts';
import { k8sStatusCode, nowRfc3339, writePodStatus } from '../kubelet/podStatus.ts';
import { agentSystemCapabilities, SIMULATED_AGENT_VERSION } from './envCapabilities.ts';
import type { PodAgentConfig } from './podAgentConfig.ts';
import { AbortedError, sleep, withRetry } from './retry.ts';

export { succeededStatus } from '../kubelet/podLifecycle.ts';
export { SIMULATED_AGENT_VERSION } from './envCapabilities.ts';

const OS_DESCRIPTION = 'Linux 6.8.0 (simulated) #1 SMP x86_64';

export type AgentRunState = 'starting' | 'registered' | 'listening' | 'running-job' | 'finished' | 'stopped' | 'failed';

export interface AgentRunInfo {
  podName: string;
  podUid: string;
  agentName: string;
  pool: string;
  state: AgentRunState;
  agentId?: number;
  requestId?: number;
  result?: number;
}

export interface AgentRunDeps {
  core: CoreV1Api;
  namespace: string;
  pollMs: number;
  log: (line: string) => void;
}

interface JobMessageBody {
  requestId?: number;
  jobId?: string;
  jobName?: string;
}

function decodeSecretValue(data: Record<string, string> | undefined, stringData: Record<string, string> | undefined, key: string): string | undefined {
  if (stringData?.[key] !== undefined) return stringData[key];
  const b64 = data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

export class AgentRun {
  readonly info: AgentRunInfo;
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private readonly deps: AgentRunDeps;
  private readonly cfg: PodAgentConfig;
  private tokenValue = '';

  constructor(pod: V1Pod, cfg: PodAgentConfig, deps: AgentRunDeps) {
    this.deps = deps;
    this.cfg = cfg;
    this.info = {
      podName: pod.metadata?.name ?? '',
      podUid: pod.metadata?.uid ?? '',
      agentName: cfg.agentName,
      pool: cfg.pool,
      state: 'starting',
    };
    this.done = this.run().catch((err: unknown) => {
      if (err instanceof AbortedError) {
        this.info.state = 'stopped';
        return;
      }
      this.info.state = 'failed';
      this.log(`agent failed: ${this.scrub(err instanceof Error ? err.message : String(err))}`);
    });
  }

  /** The pod went away (or the simulator closes): stop, deleting the session if there is one. */
  stop(): void {
    this.abort.abort();
  }

  private scrub(s: string): string {
    return this.tokenValue ? s.split(this.tokenValue).join('***') : s;
  }

  private log(line: string): void {
    this.deps.log(this.scrub(`${this.info.podName}: ${line}`));
  }

  private retry<T>(what: string, fn: () => Promise<T>, maxAttempts?: number): Promise<T> {
    return withRetry(what, fn, { signal: this.abort.signal, log: (l) => this.log(l), ...(maxAttempts ? { maxAttempts } : {}) });
  }

  private readSecretKey(secretName: string, key: string): Promise<string> {
    return this.retry(`read Secret ${secretName}`, async () => {
      const secret = await this.deps.core.readNamespacedSecret({ name: secretName, namespace: this.deps.namespace });
      const v = decodeSecretValue(secret.data, secret.stringData, key);
      if (v === undefined || v === '') throw new Error(`Secret ${secretName} has no key ${key}`);
      return v.trim();
    });
  }

  private async readToken(): Promise<string> {
    const t = this.cfg.token;
    if ('literal' in t) return t.literal;
    return this.readSecretKey(t.secretName, t.key);
  }

  /** The process env the kubelet gives the container: Secret keys resolved, a later entry wins. */
  private async resolveEnv(): Promise<Map<string, string>> {
    const env = new Map<string, string>();
    for (const e of this.cfg.env) {
      env.set(e.name, 'value' in e ? e.value : await this.readSecretKey(e.secretKeyRef.name, e.secretKeyRef.key));
    }
    return env;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    this.tokenValue = await this.readToken();
    const web = new WebApi(this.cfg.orgUrl, getPersonalAccessTokenHandler(this.tokenValue));
    const api: ITaskAgentApi = await this.retry('connect', () => web.getTaskAgentApi());

    // Register like `config.sh --unattended --replace`.
    const poolId = await this.retry(`find pool ${this.cfg.pool}`, async () => {
      const pools = (await api.getAgentPools(this.cfg.pool)) ?? [];
      const pool = pools.find((p) => p.name?.toLowerCase() === this.cfg.pool.toLowerCase());
      if (!pool?.id) throw new Error(`agent pool '${this.cfg.pool}' not found`);
      return pool.id;
    });
    // The agent publishes its env as system capabilities (minus VSO_AGENT_IGNORE), then its own.
    const systemCapabilities = agentSystemCapabilities(await this.resolveEnv(), this.cfg.agentName, this.info.podName);
    const agent: TaskAgent = await this.retry(`register agent ${this.cfg.agentName}`, async () => {
      const existing = ((await api.getAgents(poolId, this.cfg.agentName)) ?? []).find(
        (a) => a.name?.toLowerCase() === this.cfg.agentName.toLowerCase(),
      );
      // `osDescription` (lower-case s) is the wire name; the client's TS type spells it oSDescription.
      const body = {
        name: this.cfg.agentName,
        version: SIMULATED_AGENT_VERSION,
        osDescription: OS_DESCRIPTION,
        enabled: existing ? existing.enabled !== false : true,
        maxParallelism: 1,
        systemCapabilities,
      } as TaskAgent;
      const saved = existing?.id
        ? await api.replaceAgent({ ...body, id: existing.id }, poolId, existing.id)
        : await api.addAgent(body, poolId);
      if (!saved?.id) throw new Error('registration returned no agent');
      this.log(`${existing ? 'replaced' : 'registered'} agent ${saved.name} (id ${saved.id}) in pool ${this.cfg.pool}`);
      return saved;
    });
    this.info.agentId = agent.id!;
    this.info.state = 'registered';

    const session: TaskAgentSession = await this.retry('create session', async () => {
      const s = await api.createAgentSession(
        {
            agent: { id: agent.id!, name: agent.name!, version: SIMULATED_AGENT_VERSION, osDescription: OS_DESCRIPTION } as TaskAgentSession['agent'],
            ownerName: `${hostname()}-agent-simulator`,
          },
        poolId,
      );
      if (!s?.sessionId) throw new Error('session creation returned no sessionId');
      return s;
    });
    const sessionId = session.sessionId!;
    this.info.state = 'listening';
    let deleted = false;
    const deleteSession = async () => {
      if (deleted) return;
      deleted = true;
      // Runs also after an abort: its own small retry loop, not tied to the signal.
      await withRetry('delete session', () => api.deleteAgentSession(poolId, sessionId), { maxAttempts: 5, log: (l) => this.log(l) }).catch(
        (err: unknown) => this.log(`could not delete session: ${err instanceof Error ? err.message : String(err)}`),
      );
    };

    try {
      // Listen for exactly one job.
      let lastMessageId: number | undefined;
      let requestId: number | undefined;
      while (requestId === undefined) {
        if (signal.aborted) throw new AbortedError();
        const started = Date.now();
        const msg = await this.retry('get message', () => api.getMessage(poolId, sessionId, lastMessageId));
        if (msg?.messageId !== undefined) lastMessageId = msg.messageId;
        if (msg && /JobRequest/i.test(msg.messageType ?? '') && msg.body) {
          try {
            const body = JSON.parse(msg.body) as JobMessageBody;
            if (typeof body.requestId === 'number') {
              requestId = body.requestId;
              this.log(`received job request ${requestId}${body.jobName ? ` (${body.jobName})` : ''}`);
            }
          } catch {
            this.log(`ignored unreadable ${msg.messageType} message`);
          }
        }
        // The service long-polls; pace the loop if it answered at once.
        if (requestId === undefined && Date.now() - started < this.deps.pollMs) await sleep(this.deps.pollMs, signal);
      }
      this.info.requestId = requestId;
      this.info.state = 'running-job';

      // Run it: wait until the service says the job finished.
      for (;;) {
        if (signal.aborted) throw new AbortedError();
        const req = await this.retry(`get job request ${requestId}`, () => api.getAgentRequest(poolId, requestId!));
        if (!req) {
          this.log(`job request ${requestId} no longer exists`);
          break;
        }
        if (req.finishTime) {
          if (req.result !== undefined && req.result !== null) this.info.result = req.result;
          this.log(`job request ${requestId} finished`);
          break;
        }
        await sleep(this.deps.pollMs, signal);
      }
    } finally {
      await deleteSession();
    }
    this.log(`session deleted; agent ${this.cfg.agentName} offline (still registered)`);
    this.info.state = 'finished';

    // The container exits 0: the pod (restartPolicy Never) is Succeeded.
    await this.retry('set pod Succeeded', async () => {
      let pod: V1Pod;
      try {
        pod = await this.deps.core.readNamespacedPod({ name: this.info.podName, namespace: this.deps.namespace });
      } catch (err) {
        if (k8sStatusCode(err) === 404) return;
        throw err;
      }
      if (pod.metadata?.uid !== this.info.podUid) return;
      await writePodStatus(this.deps.core, this.deps.namespace, this.info.podName, succeededStatus(pod, nowRfc3339()));
      this.log('pod Succeeded');
    }, 10);
  }
}
