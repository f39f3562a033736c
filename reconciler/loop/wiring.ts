// Builds the adapters a pass needs from a Config. Used by every command that talks to the world.
import { join } from 'node:path';
import { connectTaskAgentApi } from '../azdo/connection.ts';
import { PoolDirectory } from '../azdo/pools.ts';
import { AgentCapabilityCache } from '../azdo/agentCapabilityCache.ts';
import { JobListingMemory } from '../azdo/jobListingFloor.ts';
import { createAgentSpecResources } from '../cluster/agentSpecResources.ts';
import { createEventRecorder } from '../cluster/events.ts';
import { createSyncRequester } from '../cluster/syncRequester.ts';
import { loadKubeClient } from '../cluster/kubeConfig.ts';
import type { KubeClient } from '../cluster/kubeClient.ts';
import { checkClusterAccess } from '../cluster/kubeFailure.ts';
import { PodWatcher } from '../cluster/podWatcher.ts';
import type { Config } from '../config/config.ts';
import { GitRepo } from '../gitops/repo.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';
import type { PassDeps } from './pass.ts';
import { PodFailureTracker } from './podFailureTracker.ts';
import { AgentSpecStatusSync } from './agentSpecStatusSync.ts';

export interface Wired {
  readonly deps: PassDeps;
  readonly kube: KubeClient;
  readonly watcher: PodWatcher;
  readonly azdo: AzdoSession;
  readonly repo: GitRepo;
  /** Writes AgentSpec status in the cluster after a pass (controller only). */
  readonly agentSpecStatus: AgentSpecStatusSync;
  close(): Promise<void>;
}

export async function wire(config: Config, log: Logger, onPodFinished: (pod: string) => void = () => {}): Promise<Wired> {
  const api = await connectTaskAgentApi(config.azdo.orgUrl, config.azdo.token);
  const azdo: AzdoSession = { api, pools: new PoolDirectory(api), agentCapabilities: new AgentCapabilityCache(), jobListings: new JobListingMemory() };
  const repo = await GitRepo.open({
    url: config.git.url,
    branch: config.git.branch,
    dir: join(config.stateDir, 'repo'),
    auth: { username: config.git.username, token: config.git.token },
    author: { name: config.git.authorName, email: config.git.authorEmail },
    logger: log,
  });
  const kc = await loadKubeClient(config.cluster.kubeconfig);
  // Refused credentials stop start-up (a setting to fix); an unreachable cluster is said once here.
  const unreachable = await checkClusterAccess(kc, config.cluster.namespace, config.cluster.kubeconfig);
  if (unreachable) log.warn(`the cluster is unreachable at ${kc.server}; going on without it and retrying`, { reason: unreachable.reason });
  const watcher = new PodWatcher(kc, config.cluster.namespace, log, onPodFinished);
  // The cluster is one of three sources: a pass runs without it (no pod-based pruning). The
  // first list is bounded in time; a failed one is logged and retried in the background.
  await watcher.start();
  const events = createEventRecorder(kc, config.cluster.namespace, (err) => log.warn('could not record an event', { error: (err as Error).message }));
  const deps: PassDeps = {
    settings: {
      orgUrl: config.azdo.orgUrl,
      paths: config.paths,
      specDefaults: config.specDefaults,
      globalMaxAgents: config.globalMaxAgents,
      pushAttempts: config.pushAttempts,
    },
    azdo,
    repo,
    pods: () => watcher.pods(),
    events,
    ...(config.syncTarget
      ? {
          syncRequester: createSyncRequester(kc, config.syncTarget, (err) =>
            log.warn('could not ask for an immediate sync; the GitOps tool syncs at its own interval', { target: config.syncTarget, error: (err as Error).message }),
          ),
        }
      : {}),
    podFailures: new PodFailureTracker(config.podFailureBackoff, join(config.stateDir, 'pod-failure-backoff.json')),
    log,
  };
  return {
    deps,
    kube: kc,
    watcher,
    azdo,
    repo,
    agentSpecStatus: new AgentSpecStatusSync(createAgentSpecResources(kc, config.cluster.namespace), events, log),
    close: async () => {
      await watcher.stop();
    },
  };
}
