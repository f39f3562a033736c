import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { k8sErrorMessage } from './podStatus.ts';

export interface PodWatch {
  /** Every pod currently in the informer's cache. */
  list(): V1Pod[];
  stop(): Promise<void>;
}

/**
 * A pod informer (list + watch, relist on 410) for one namespace that restarts itself after any
 * error (API server down, connection reset) instead of stopping, as client-go's reflector does.
 */
export async function watchPods(
  kc: KubeConfig,
  namespace: string,
  handlers: { onUpsert(pod: V1Pod): void; onDelete(pod: V1Pod): void },
  log: (line: string) => void,
  restartDelayMs = 500,
): Promise<PodWatch> {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, () =>
    core.listNamespacedPod({ namespace }),
  );
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const safe = (fn: (p: V1Pod) => void) => (p: V1Pod) => {
    try {
      fn(p);
    } catch (err) {
      log(`pod handler failed: ${k8sErrorMessage(err)}`);
    }
  };
  informer.on('add', safe(handlers.onUpsert));
  informer.on('update', safe(handlers.onUpsert));
  informer.on('delete', safe(handlers.onDelete));
  const restart = () => {
    if (stopped || restartTimer) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopped) return;
      informer.start().catch((err: unknown) => {
        log(`pod watch restart failed: ${k8sErrorMessage(err)}`);
        restart();
      });
    }, restartDelayMs);
  };
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    log(`pod watch error (restarting): ${k8sErrorMessage(err)}`);
    restart();
  });
  try {
    await informer.start();
  } catch (err) {
    log(`pod watch start failed (retrying): ${k8sErrorMessage(err)}`);
    restart();
  }
  return {
    list: () => [...informer.list(namespace)],
    async stop() {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
