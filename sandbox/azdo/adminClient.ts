// A typed client of the emulator's admin API (/_admin), for the demo, benchmarks and tests.

/** The route key (as `stats.byRoute` and fault `route` name it) of listing a pool's job requests:
 * only the reconciler calls it (agents read single requests). */
export const LIST_JOBS_ROUTE = 'GET distributedtask/pools/{poolId}/jobrequests';

/** Listing a pool's agents: the reconciler's other read per pass (agents call it when they register). */
export const LIST_AGENTS_ROUTE = 'GET distributedtask/pools/{poolId}/agents';

/** A 200 whose body the client cannot read as the service's answer (`reply` of setFaults). */
export type { UnreadableReply } from './faults.ts';

export interface AdminJob {
  readonly requestId: number;
  readonly state: 'queued' | 'assigned' | 'running' | 'finished';
  readonly poolName?: string;
  readonly demands?: string[];
  readonly queueTime: string;
  readonly assignTime?: string;
  readonly receiveTime?: string;
  readonly finishTime?: string;
  readonly result?: string;
  readonly reservedAgent?: { readonly id: number; readonly name: string };
}

export interface AdminAgent {
  readonly id: number;
  readonly name: string;
  readonly status: 'online' | 'offline';
  readonly enabled: boolean;
  readonly poolName?: string;
  readonly assignedRequestId?: number;
  readonly userCapabilities?: Record<string, string>;
  /** What the agent published at registration (its env, for the real agent). */
  readonly systemCapabilities?: Record<string, string>;
}

export interface AdminState {
  readonly agents: AdminAgent[];
  readonly jobs: AdminJob[];
  readonly stats: { readonly requests: number; readonly connections: number; readonly throttled: number; readonly faulted: number; readonly byRoute: Record<string, number>; readonly byForm: Record<string, number> };
}

export interface QueueJob {
  readonly pool?: string;
  readonly demands?: readonly string[];
  readonly durationMs?: number;
  readonly result?: string;
  readonly name?: string;
}

export class AdminRejectedError extends Error {
  override readonly name = 'AdminRejectedError';
  readonly status: number;
  readonly typeKey: string | undefined;
  constructor(status: number, message: string, typeKey: string | undefined) {
    super(message);
    this.status = status;
    this.typeKey = typeKey;
  }
}

export class AdminClient {
  readonly #base: string;
  constructor(adminUrl: string) {
    this.#base = adminUrl.replace(/\/+$/, '');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.#base}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.status >= 300) {
      const e = (parsed ?? {}) as { message?: string; typeKey?: string };
      throw new AdminRejectedError(res.status, e.message ?? `${method} ${path}: ${res.status}`, e.typeKey);
    }
    return parsed as T;
  }

  /** Queues a job; AdminRejectedError when the service would refuse it (no agent can satisfy its demands). */
  async queueJob(job: QueueJob): Promise<number> {
    return (await this.#call<{ requestId: number }>('POST', '/jobs', job)).requestId;
  }

  /** Finishes a job now, as the agent running it would (the agent then exits). */
  async finishJob(requestId: number, result = 'succeeded'): Promise<void> {
    await this.#call('POST', `/jobs/${requestId}/finish`, { result });
  }

  state(): Promise<AdminState> {
    return this.#call<AdminState>('GET', '/state');
  }

  async resetStats(): Promise<void> {
    await this.#call('DELETE', '/stats');
  }

  async setFaults(faults: Record<string, unknown>): Promise<void> {
    await this.#call('POST', '/faults', faults);
  }

  async clearFaults(): Promise<void> {
    await this.#call('DELETE', '/faults');
  }

  async setThrottle(t: { tstuPerWindow?: number; windowSeconds?: number; costPerRequest?: number }): Promise<void> {
    await this.#call('POST', '/throttle', t);
  }
}
