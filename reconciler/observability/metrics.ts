// The reconciler's Prometheus metrics on prom-client: one registry per controller (not the
// library's global one, so two controllers in one process, as in tests, do not collide), the
// library's default process metrics (CPU, memory, file descriptors, event-loop lag, GC), and the
// metrics the README lists, under the names dashboards and alerts already use.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Pass durations from a quiet pass (tens of ms) to one slowed by an outage or throttling. */
export const PASS_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;

export interface MetricsOptions {
  /** The library's default process and Node.js metrics (default true). */
  readonly processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();

  readonly passes = this.#counter('azdo_gitops_passes_total', 'Reconcile passes by result', ['result']);
  readonly passDuration = new Histogram({
    name: 'azdo_gitops_pass_duration_seconds',
    help: 'Duration of successful passes',
    buckets: [...PASS_DURATION_BUCKETS],
    registers: [this.registry],
  });
  readonly lastSuccess = this.#gauge('azdo_gitops_last_success_timestamp_seconds', 'When the last pass succeeded', []);
  readonly pendingJobs = this.#gauge('azdo_gitops_pending_jobs', 'Job requests waiting for an agent, by the spec chosen for them', ['spec', 'pool']);
  readonly agents = this.#gauge('azdo_gitops_agents', 'Agents by state', ['spec', 'pool', 'state']);
  readonly desiredAgents = this.#gauge('azdo_gitops_desired_agents', 'Agents demand and standby want', ['spec', 'pool']);
  readonly cappedAgents = this.#gauge('azdo_gitops_capped_agents', 'Agents wanted but refused by maxAgents or MAX_AGENTS', ['spec', 'pool']);
  readonly specBackoff = this.#gauge('azdo_gitops_spec_backoff_seconds', 'Seconds until a spec held back after failing pods may start pods again (0: not held)', ['spec', 'pool']);
  readonly foreignAgents = this.#gauge('azdo_gitops_foreign_agents', 'Agents in our pools without the azdo-gitops marker: left alone', ['pool']);
  readonly specHolds = this.#counter('azdo_gitops_spec_holds_total', 'Holds begun because a pod of the spec failed without running a job', ['spec']);
  readonly unmatchedJobs = this.#gauge('azdo_gitops_unmatched_jobs', 'Pending jobs no AgentSpec can run', []);
  readonly specErrors = this.#gauge('azdo_gitops_spec_errors', 'Invalid AgentSpecs (and manifests) in the repository', []);
  readonly specWarnings = this.#gauge('azdo_gitops_spec_warnings', 'Risky pod settings of accepted AgentSpecs (hostNetwork, privileged, ...)', []);
  readonly commits = this.#counter('azdo_gitops_commits_total', 'Commits pushed', []);
  readonly pushRetries = this.#counter('azdo_gitops_push_retries_total', 'Pushes rejected because the remote moved', []);
  readonly manifestsAdded = this.#counter('azdo_gitops_manifests_added_total', 'Agent pod manifests committed', ['reason']);
  readonly manifestsRemoved = this.#counter('azdo_gitops_manifests_removed_total', 'Agent pod manifests removed', ['reason']);
  readonly agentsUnregistered = this.#counter('azdo_gitops_agents_unregistered_total', 'Agents unregistered from their pool', []);
  readonly applyFailures = this.#counter('azdo_gitops_apply_failures_total', 'Azure DevOps writes that failed (retried next pass)', []);
  readonly azdoThrottled = this.#counter('azdo_gitops_azdo_throttled_total', 'Passes cut short by Azure DevOps throttling (429)', []);

  constructor(opts: MetricsOptions = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The Content-Type of render()'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
