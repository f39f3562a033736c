import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Pod } from '@kubernetes/client-node';
import type { ObservedPod } from '../plan/observed.ts';
import type { Logger } from '../loop/logger.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../render/labels.ts';
import { isFinished, toObservedPod } from './observedPod.ts';

/** Only our pods: the manager never acts on a pod it did not render. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Our agent pods, kept current by an informer (list, then watch from its resourceVersion).
 * On any watch error, a 410 Gone included, the informer is restarted: it relists, so no
 * completion in the gap is lost. Until the first list succeeds, `pods()` is undefined and
 * the plan prunes nothing for pod reasons.
 */
export class PodWatcher {
  readonly #informer: Informer<V1Pod> & ObjectCache<V1Pod>;
  readonly #log: Logger;
  readonly #onFinished: (podName: string) => void;
  /** True while the cache reflects a live list+watch; a broken watch makes the pods unknown. */
  #healthy = false;
  #errors = 0;
  #stopped = false;
  #restartDelay = RESTART_DELAY_MS;
  #timer: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, namespace: string, log: Logger, onFinished: (podName: string) => void) {
    const core = kc.makeApiClient(CoreV1Api);
    this.#log = log;
    this.#onFinished = onFinished;
    this.#informer = makeInformer(
      kc,
      `/api/v1/namespaces/${namespace}/pods`,
      () => core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }),
      MANAGED_SELECTOR,
    );
    this.#informer.on('update', (pod) => this.#notify(pod));
    this.#informer.on('add', (pod) => this.#notify(pod));
    this.#informer.on('delete', (pod) => this.#onFinished(pod.metadata?.name ?? ''));
    this.#informer.on('error', (err) => this.#restart(err));
  }

  async start(): Promise<void> {
    const errorsBefore = this.#errors;
    await this.#informer.start();
    // start() also resolves when its list failed (it reports that through 'error').
    if (this.#errors === errorsBefore) {
      this.#healthy = true;
      this.#restartDelay = RESTART_DELAY_MS;
    }
  }

  /** Current pods, or undefined while the watch is not live (never synced, or broken). */
  pods(): ObservedPod[] | undefined {
    if (!this.#healthy) return undefined;
    return this.#informer.list().map(toObservedPod);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#informer.stop();
  }

  #notify(pod: V1Pod): void {
    if (isFinished(pod)) this.#onFinished(pod.metadata?.name ?? '');
  }

  #restart(err: unknown): void {
    this.#errors++;
    this.#healthy = false;
    if (this.#stopped) return;
    const code = (err as { code?: number; statusCode?: number })?.code ?? (err as { statusCode?: number })?.statusCode;
    this.#log.warn('pod watch ended; relisting', { reason: code === 410 ? 'resourceVersion expired (410 Gone)' : String((err as Error)?.message ?? err), delayMs: this.#restartDelay });
    const delay = this.#restartDelay;
    this.#restartDelay = Math.min(this.#restartDelay * 2, MAX_RESTART_DELAY_MS);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.start().catch((e: unknown) => this.#restart(e));
    }, delay);
  }
}
