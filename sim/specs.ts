// The simulated cluster repo's starting content: two AgentSpecs in one pool (a general one with
// a standby and a docker one at zero), the agents/ directory, and the caps the invariants hold
// pushed commits to.
import { renderKustomization, renderSentinel } from '../reconciler/manifests/layout.ts';

export interface SimSpec {
  readonly name: string;
  readonly capabilities: readonly string[];
  readonly standby: number;
  readonly maxAgents: number;
  /** The agent image's tag: a person bumping it rotates the spec's idle agents. */
  readonly imageTag?: string;
}

export const POOL = 'k8s-agents';
export const NAMESPACE = 'azdo-agents';
export const PATHS = { agents: 'agents', specs: 'agentspecs', templates: 'templates' } as const;

export const DEFAULT_SPECS: readonly SimSpec[] = [
  { name: 'linux', capabilities: ['Agent.OS=Linux', 'node=24'], standby: 2, maxAgents: 4 },
  { name: 'docker', capabilities: ['Agent.OS=Linux', 'docker'], standby: 0, maxAgents: 3 },
];

/** Below the sum of the specs' maxAgents, so the global cap binds too. */
export const DEFAULT_MAX_AGENTS = 6;

/** Demands jobs carry: none (any agent), one only docker agents meet, one only linux agents meet. */
export const JOB_DEMANDS: readonly (readonly string[])[] = [[], ['docker'], ['node -equals 24']];

export function specPath(name: string): string {
  return `${PATHS.specs}/${name}.yaml`;
}

export function renderSpec(s: SimSpec): string {
  return [
    'apiVersion: azdo.gitops.dev/v1alpha1',
    'kind: AgentSpec',
    'metadata:',
    `  name: ${s.name}`,
    `  namespace: ${NAMESPACE}`,
    'spec:',
    `  pool: ${POOL}`,
    `  prefix: ${s.name}`,
    '  capabilities:',
    ...s.capabilities.map((c) => `    - ${c}`),
    `  standby: ${s.standby}`,
    `  maxAgents: ${s.maxAgents}`,
    '  template:',
    '    spec:',
    '      securityContext:',
    '        runAsNonRoot: true',
    '      containers:',
    '        - name: agent',
    `          image: registry.example.com/azure-pipelines-agent:${s.imageTag ?? 'ubuntu-24.04'}`,
    '          args: ["--once"]',
    '          securityContext:',
    '            allowPrivilegeEscalation: false',
    '  tokenSecretRef:',
    '    name: azdo-agent-token',
    '    key: token',
    '',
  ].join('\n');
}

export function initialFiles(specs: readonly SimSpec[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const s of specs) files.set(specPath(s.name), renderSpec(s));
  files.set(`${PATHS.agents}/kustomization.yaml`, renderKustomization(['sentinel.yaml']));
  files.set(`${PATHS.agents}/sentinel.yaml`, renderSentinel(NAMESPACE));
  files.set('README.md', '# cluster repo\n');
  return files;
}

/** `agents/pods/<spec>/<pod>.yaml` → spec and pod, for counting a commit's agents. */
export function podOfPath(path: string): { spec: string; pod: string } | undefined {
  const m = /^agents\/pods\/([^/]+)\/([^/]+)\.yaml$/.exec(path);
  return m ? { spec: m[1]!, pod: m[2]! } : undefined;
}
