import type { ObservedPod } from '../plan/observed.ts';
import type { Logger } from '../support/logger.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../manifests/labels.ts';
import { isNonTransientWaiting } from '../plan/podProblem.ts';
import { asPod, asPodList, isFinished, toObservedPod, type WatchedPod } from './observedPod.ts';
import type { KubeClient } from './kubeClient.ts';
import { FRESH_FOR_MS, isPodViewFresh, WATCH_TIMEOUT_SECONDS, watchRetryDelayMs } from './podWatchTiming.ts';
import { kubeFailure } from './kubeFailure.ts';
import { getOrInsert } from '../support/getOrInsert.ts';

/** Only our pods: the manager never acts on a pod it did not render. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/** A watch the server ends sooner than this, having said nothing, counts as a failure (no tight loop). */
const MIN_WATCH_MS = 1_000;

type Phase = 'listing' | 'watching' | 'waiting' | 'stopped';

/**
 * Our agent pods: a list, then a watch from its resourceVersion (with bookmarks and a server-side
 * timeout, re-opened when the server ends it), relisting on 410 Gone or any failure.
 *
 * The view counts only while known fresh (see podWatchTiming.ts): `pods()` is undefined unless
 * the server was heard from within FRESH_FOR_MS, so a pass never judges pods from a view that
 * silently stopped updating (an API server that hangs rather than refuses). A list or a watch
 * that hears nothing for that long is abandoned and the pods relisted; failed attempts back off
 * (1 s doubling to 10 s), reset once a watch opens again or by `retryNow()`.
 */
export class PodWatcher {
  readonly #kube: KubeClient;
  readonly #namespace: string;
  readonly #log: Logger;
  readonly #onFinished: (podName: string) => void;
  #pods = new Map<string, WatchedPod>();
  /** Each pod object's reduced form, made once: a pass reads all pods, few of which changed. */
  #observed = new WeakMap<WatchedPod, ObservedPod>();
  #resourceVersion: string | undefined;
  /** performance.now() of the last word from the server: a list, a watch opened, an event, a bookmark. */
  #lastHeard: number | undefined;
  #wasFresh = false;
  #failures = 0;
  /** Numbers each list+watch attempt: callbacks of an abandoned attempt are ignored. */
  #attempt = 0;
  /** Aborts the current attempt's list request. */
  #abort: AbortController | undefined;
  #watchController: AbortController | undefined;
  #phase: Phase = 'stopped';
  #retryTimer: NodeJS.Timeout | undefined;
  #staleTimer: NodeJS.Timeout | undefined;

  constructor(kube: KubeClient, namespace: string, log: Logger, onFinished: (podName: string) => void) {
    this.#kube = kube;
    this.#namespace = namespace;
    this.#log = log;
    this.#onFinished = onFinished;
  }

  /** Starts watching; resolves once the first list has succeeded or failed (never rejects). */
  start(): Promise<void> {
    this.#staleTimer ??= setInterval(() => this.#checkStale(), 1_000).unref();
    return this.#begin();
  }

  /** Current pods, or undefined unless the view is known fresh (never synced, broken or silent). */
  pods(): ObservedPod[] | undefined {
    if (!isPodViewFresh(this.#lastHeard, performance.now())) return undefined;
    return Array.from(this.#pods.values(), (p) => this.#observe(p));
  }

  #observe(pod: WatchedPod): ObservedPod {
    return getOrInsert(this.#observed, pod, () => toObservedPod(pod));
  }

  /**
   * The API server answers again (e.g. the lease was regained): a view that is not fresh is
   * relisted now instead of at the end of its backoff, and the backoff starts over.
   */
  retryNow(): void {
    if (this.#phase === 'stopped' || isPodViewFresh(this.#lastHeard, performance.now())) return;
    this.#failures = 0;
    void this.#begin();
  }

  async stop(): Promise<void> {
    this.#phase = 'stopped';
    this.#abandon();
    clearTimeout(this.#retryTimer);
    clearInterval(this.#staleTimer);
    this.#staleTimer = undefined;
  }

  /** One attempt: list, then watch from the list's resourceVersion. Resolves when the list is done. */
  async #begin(): Promise<void> {
    this.#abandon();
    const attempt = this.#attempt;
    clearTimeout(this.#retryTimer);
    const abort = new AbortController();
    this.#abort = abort;
    this.#phase = 'listing';
    try {
      const list = asPodList(
        await this.#kube.request({
          method: 'GET',
          path: this.#podsPath,
          query: { labelSelector: MANAGED_SELECTOR },
          timeoutMs: FRESH_FOR_MS,
          signal: abort.signal,
        }),
      );
      if (attempt !== this.#attempt) return;
      this.#replaceAll(list.items);
      this.#resourceVersion = list.resourceVersion;
      this.#heard();
    } catch (err) {
      if (attempt === this.#attempt) this.#fail(err);
      return;
    }
    void this.#watchFrom(attempt);
  }

  /** Ends the current attempt, its requests included; its late callbacks are ignored. */
  #abandon(): void {
    this.#attempt++;
    this.#abort?.abort();
    this.#watchController?.abort();
    this.#watchController = undefined;
  }

  async #watchFrom(attempt: number): Promise<void> {
    this.#phase = 'watching';
    const openedAt = performance.now();
    let ended = false;
    let said = false;
    const controller = await this.#kube.watch(
      {
        path: this.#podsPath,
        query: {
          labelSelector: MANAGED_SELECTOR,
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        },
        // Silence is caught sooner by #checkStale; these only keep a lost request from lingering.
        connectTimeoutMs: FRESH_FOR_MS,
        idleTimeoutMs: 2 * FRESH_FOR_MS,
      },
      (type, obj) => {
        if (attempt !== this.#attempt) return;
        said = true;
        this.#event(type, obj);
      },
      (err: unknown) => {
        ended = true;
        if (attempt !== this.#attempt) return;
        if (err) return this.#fail(err);
        if (this.#resourceVersion === undefined) {
          // The server said 410 Gone (an ERROR event, then EOF): relist, nothing missed.
          this.#log.warn('pod watch ended; relisting', { reason: 'resourceVersion expired (410 Gone)', delayMs: 0 });
          return void this.#begin();
        }
        if (!said && performance.now() - openedAt < MIN_WATCH_MS) return this.#fail(new Error('the API server ended the pod watch at once'));
        // Ended by the server at timeoutSeconds, as asked: watch on from where we are.
        this.#heard();
        void this.#watchFrom(attempt);
      },
    );
    if (attempt !== this.#attempt) {
      controller.abort();
      return;
    }
    this.#watchController = controller;
    if (!ended) {
      // The server answered 200: the watch is open and delivers everything after resourceVersion.
      this.#failures = 0;
      this.#heard();
    }
  }

  #event(type: string, object: unknown): void {
    if (type === 'ERROR') {
      if ((object as { code?: unknown } | null)?.code === 410) this.#resourceVersion = undefined;
      return; // the server ends the watch next
    }
    this.#heard();
    const obj = asPod(object);
    if (!obj) return;
    const name = obj.metadata?.name ?? '';
    if (type === 'ADDED' || type === 'MODIFIED') this.#upsert(obj);
    else if (type === 'DELETED') this.#gone(name);
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.#resourceVersion = rv;
  }

  /** A relist: pods gone meanwhile count as finished; changed ones are re-checked. */
  #replaceAll(items: readonly WatchedPod[]): void {
    const listed = new Set(items.map((p) => p.metadata?.name ?? ''));
    for (const name of [...this.#pods.keys()]) {
      if (listed.has(name)) continue;
      this.#gone(name);
    }
    for (const pod of items) this.#upsert(pod);
  }

  #upsert(pod: WatchedPod): void {
    const name = pod.metadata?.name ?? '';
    const before = this.#pods.get(name);
    this.#pods.set(name, pod);
    const changed = before === undefined || before.metadata?.resourceVersion !== pod.metadata?.resourceVersion;
    // A pod that will never start (a missing Secret, a bad image name) needs a pass as much as a
    // finished one: it is removed and its spec backs off at once, not at the next interval.
    const failingToStart = (p: WatchedPod | undefined) => p !== undefined && isNonTransientWaiting(this.#observe(p));
    // Once per pod: a finished pod's later changes (its deletion begun) tell a pass nothing new.
    const finishedNow = isFinished(pod) && !(before !== undefined && isFinished(before));
    if (changed && (finishedNow || (failingToStart(pod) && !failingToStart(before)))) this.#onFinished(name);
  }

  /**
   * A pod deleted counts as finished, unless it had finished already: that pass has run, and the
   * deletion (the GitOps tool applying the pruned manifest) would only cost another full pass,
   * which completions arriving meanwhile would wait for.
   */
  #gone(name: string): void {
    const before = this.#pods.get(name);
    this.#pods.delete(name);
    if (before === undefined || !isFinished(before)) this.#onFinished(name);
  }

  get #podsPath(): string {
    return `/api/v1/namespaces/${this.#namespace}/pods`;
  }

  #heard(): void {
    this.#lastHeard = performance.now();
    if (!this.#wasFresh) {
      this.#wasFresh = true;
      this.#log.info('pod view live', { pods: this.#pods.size });
    }
  }

  /** Abandons the attempt; the next one starts after the backoff (or at retryNow()). */
  #fail(err: unknown): void {
    this.#failures++;
    this.#abandon();
    if (this.#phase === 'stopped') return;
    this.#phase = 'waiting';
    const code = (err as { code?: number; statusCode?: number })?.code ?? (err as { statusCode?: number })?.statusCode;
    if (code === 410) this.#resourceVersion = undefined;
    const delay = code === 410 ? 0 : watchRetryDelayMs(this.#failures);
    const reason = code === 410 ? 'resourceVersion expired (410 Gone)' : kubeFailure(err).reason;
    this.#log.warn('pod watch ended; relisting', { reason, delayMs: delay });
    this.#retryTimer = setTimeout(() => void this.#begin(), delay);
  }

  /** Runs every second: says when the view goes stale, and abandons a watch that went silent. */
  #checkStale(): void {
    if (this.#phase === 'stopped' || isPodViewFresh(this.#lastHeard, performance.now())) return;
    if (this.#wasFresh) {
      this.#wasFresh = false;
      this.#log.warn('pod view stale: nothing heard from the API server; pods count as unobserved (no pod-based removal) until it answers', {
        silentMs: this.#lastHeard === undefined ? undefined : Math.round(performance.now() - this.#lastHeard),
      });
    }
    // A list gives up by its own timeout; a waiting attempt retries by its timer.
    if (this.#phase === 'watching') this.#fail(new Error(`no word on the pod watch for ${FRESH_FOR_MS / 1000} s`));
  }
}
