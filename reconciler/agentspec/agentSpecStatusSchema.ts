// The structure of an AgentSpec's `status` (written by the reconciler through the status
// subresource; plan/agentSpecStatus.ts computes it). The CRD carries it so the API server prunes
// nothing the reconciler writes and `kubectl get agentspecs` has columns to show.
import type { OpenApiSchema } from './openApiSchema.ts';

const count = (description: string): OpenApiSchema => ({ type: 'integer', minimum: 0, description });
const text = (description: string): OpenApiSchema => ({ type: 'string', description });

const CONDITION: OpenApiSchema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: text('Ready, Degraded or CapacityCapped.'),
    status: text('True or False.'),
    reason: text('One word: SpecInvalid, PoolMissing, NotInGit, CreateContainerConfigError, ImagePullBackOff, PodsFailing, MaxAgents, ...'),
    message: text('What is wrong and what to do.'),
    lastTransitionTime: text('When status last changed (RFC 3339).'),
  },
};

export const AGENT_SPEC_STATUS: OpenApiSchema = {
  type: 'object',
  description: 'Written by the reconciler after a pass when it changed; the numbers are those of `azdo-gitops status --json`.',
  properties: {
    desired: count('Agents the spec should have now (standby and pending jobs, within maxAgents).'),
    busy: count('Agents running a job.'),
    idle: count('Agents online without a job.'),
    starting: count('Pods committed whose agents are not online yet.'),
    pendingJobs: count('Queued job requests this spec can run.'),
    unmatchedJobs: count("Queued job requests in the spec's pool that no AgentSpec can run."),
    cappedBy: count('How many more agents demand wanted beyond maxAgents.'),
    backingOff: { type: 'boolean', description: 'True while no new pod is started after failing pods.' },
    lastCommit: text('The cluster repo commit this status was computed from.'),
    lastPassTime: text('When the pass that computed this status started (RFC 3339).'),
    revision: text('The spec revision in git (empty when the spec is not in use).'),
    conditions: {
      type: 'array',
      items: CONDITION,
      maxItems: 8,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  },
};
