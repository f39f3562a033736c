/**
 * The agent simulator: for each Running pod whose agent container has `AZP_URL`, run one
 * simulated `--once` agent (see agentRun.ts). One agent per pod uid, ever; finished pods
 * (Succeeded/Failed) are skipped, so a restarted simulator does not run them again. Works
 * against any Kubernetes API server (the sandbox's or a real one with kwok).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { watchPods } from '../kubelet/podInformer.ts';
import type { PodWatch } from '../kubelet/podInformer.ts';
import { AgentRun } from './agentRun.ts';
import type { AgentRunInfo } from './agentRun.ts';
import { agentConfigFromPod } from './podAgentConfig.ts';

export { agentConfigFromPod } from './podAgentConfig.ts';
export type { PodAgentConfig } from './podAgentConfig.ts';
export type { AgentRunInfo, AgentRunState } from './agentRun.ts';
export { SIMULATED_AGENT_VERSION } from './agentRun.ts';

export interface AgentSimulatorOptions {
  kubeconfigPath: string;
  namespace: string;
  /** Pause between getMessage/getAgentRequest polls. */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface AgentSimulator {
  /** Every agent this simulator started, by pod uid order of start. */
  agents(): AgentRunInfo[];
  close(): Promise<void>;
}

export async function startAgentSimulator(opts: AgentSimulatorOptions): Promise<AgentSimulator> {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = opts.namespace;
  const log = (line: string) => opts.log?.(`[agents] ${line}`);
  const runs = new Map<string, AgentRun>();
  let closed = false;

  function onUpsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || closed) return;
    const run = runs.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      run?.stop();
      return;
    }
    if (run || pod.status?.phase !== 'Running') return;
    const cfg = agentConfigFromPod(pod);
    if (!cfg) return;
    const r = new AgentRun(pod, cfg, { core, namespace, pollMs: opts.pollMs ?? 200, log });
    runs.set(uid, r);
  }

  function onDelete(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (uid) runs.get(uid)?.stop();
  }

  const watch: PodWatch = await watchPods(kc, namespace, { onUpsert, onDelete }, log);
  return {
    agents: () => [...runs.values()].map((r) => ({ ...r.info })),
    async close() {
      closed = true;
      await watch.stop();
      for (const r of runs.values()) r.stop();
      await Promise.all([...runs.values()].map((r) => r.done));
    },
  };
}
