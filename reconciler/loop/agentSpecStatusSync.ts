// After a pass: the status of every AgentSpec in the cluster, and its Events. Off the pass's
// critical path: the controller starts it after the pass returned and does not wait for it; a
// failure is logged once (until it changes or heals) and never fails a pass or delays git and
// Azure DevOps work. At most one status patch per AgentSpec per pass, and only when it changed.
import type { AgentSpecListing, AgentSpecResources } from '../cluster/agentSpecResources.ts';
import { kubeFailure } from '../cluster/kubeFailure.ts';
import type { EventRecorder } from '../cluster/events.ts';
import { agentSpecEvents, agentSpecStatus, statusChanged } from '../plan/agentSpecStatus.ts';
import type { ObservedPod } from '../plan/observed.ts';
import type { PassReport } from '../plan/passReport.ts';
import type { Logger } from '../support/logger.ts';

export interface StatusSyncOutcome {
  readonly patched: readonly string[];
  readonly unchanged: readonly string[];
  readonly failed: readonly string[];
}

export class AgentSpecStatusSync {
  readonly #resources: AgentSpecResources;
  readonly #events: EventRecorder | undefined;
  readonly #log: Logger;
  /** What was said once: `no-crd`, `list:<reason>`, `patch:<reason>`, `absent:<spec>`. */
  #said = new Set<string>();
  #running: Promise<StatusSyncOutcome | undefined> | undefined;

  constructor(resources: AgentSpecResources, events: EventRecorder | undefined, log: Logger) {
    this.#resources = resources;
    this.#events = events;
    this.#log = log;
  }

  /**
   * Starts writing the statuses for `report` unless a write is still under way (then this pass's
   * is skipped: the next pass recomputes all of it). Never rejects.
   */
  start(report: PassReport, pods: readonly ObservedPod[] | undefined): void {
    if (this.#running) return;
    this.#running = this.sync(report, pods)
      .catch((err: unknown) => {
        this.#once(`sync:${(err as Error).message}`, () => this.#log.warn('could not write AgentSpec status; passes go on', { error: (err as Error).message }));
        return undefined;
      })
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Waits for a write under way (for stop, and for tests). */
  async settled(): Promise<void> {
    await this.#running;
  }

  async sync(report: PassReport, pods: readonly ObservedPod[] | undefined): Promise<StatusSyncOutcome> {
    const none: StatusSyncOutcome = { patched: [], unchanged: [], failed: [] };
    let listing: AgentSpecListing;
    try {
      listing = await this.#resources.list();
    } catch (err) {
      const reason = kubeFailure(err).reason;
      this.#once(`list:${reason}`, () => this.#log.warn('cannot list AgentSpecs in the cluster; their status is not written (passes go on)', { reason }));
      return none;
    }
    if (listing.kind === 'no-crd') {
      this.#once('no-crd', () => this.#log.info('the AgentSpec CRD is not installed in the cluster: AgentSpec status is not written (apply crds/agentspec.yaml to get it)'));
      return none;
    }
    this.#said.delete('no-crd');
    for (const k of [...this.#said]) if (k.startsWith('list:')) this.#said.delete(k);

    const inCluster = new Set(listing.items.map((i) => i.name));
    const inGit = new Set([...report.plan.summaries.map((s) => s.specName), ...report.specErrors.flatMap((e) => (e.specName ? [e.specName] : []))]);
    for (const name of [...inGit].sort()) {
      if (inCluster.has(name)) this.#said.delete(`absent:${name}`);
      else this.#once(`absent:${name}`, () => this.#log.info('AgentSpec in git has no AgentSpec in the cluster; its status is not written', { spec: name }));
    }

    const patched: string[] = [];
    const unchanged: string[] = [];
    const failed: string[] = [];
    for (const cr of listing.items) {
      const next = agentSpecStatus(cr.name, report, pods, cr.status);
      const events = agentSpecEvents(cr.name, report, cr.status, next);
      for (const e of events) await this.#events?.onAgentSpec(cr, e.type, e.reason, e.message);
      if (!statusChanged(cr.status, next)) {
        unchanged.push(cr.name);
        continue;
      }
      try {
        await this.#resources.patchStatus(cr.name, next);
        patched.push(cr.name);
      } catch (err) {
        failed.push(cr.name);
        const reason = kubeFailure(err).reason;
        this.#once(`patch:${reason}`, () => this.#log.warn('could not write AgentSpec status; passes go on', { spec: cr.name, reason }));
      }
    }
    if (failed.length === 0) for (const k of [...this.#said]) if (k.startsWith('patch:')) this.#said.delete(k);
    return { patched, unchanged, failed };
  }

  #once(key: string, say: () => void): void {
    if (this.#said.has(key)) return;
    this.#said.add(key);
    say();
  }
}
