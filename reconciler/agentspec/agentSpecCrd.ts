// The AgentSpec CustomResourceDefinition, generated from agentSpecSchema.ts: `npm run crd` writes
// it to cluster-repo-example/crds/agentspec.yaml and a unit test fails when the committed file
// differs. One version entry per API version; a version with a `status` schema gets the status
// subresource, so adding AgentSpec status is one schema and one line below.
import { stringify } from 'yaml';
import { AGENT_SPEC } from './agentSpecSchema.ts';
import { AGENT_SPEC_STATUS } from './agentSpecStatusSchema.ts';
import type { OpenApiSchema } from './openApiSchema.ts';

export const CRD_PATH = 'cluster-repo-example/crds/agentspec.yaml';

interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly jsonPath: string;
}

interface CrdVersion {
  readonly name: string;
  /** The document: apiVersion, kind and metadata are implied; `properties.spec` is the spec. */
  readonly schema: OpenApiSchema;
  /** When set, `properties.status` and the status subresource (status written apart from spec). */
  readonly status?: OpenApiSchema;
  readonly columns: readonly PrinterColumn[];
}

const VERSIONS: readonly CrdVersion[] = [
  {
    name: 'v1alpha1',
    schema: AGENT_SPEC,
    status: AGENT_SPEC_STATUS,
    columns: [
      { name: 'Pool', type: 'string', jsonPath: '.spec.pool' },
      { name: 'Desired', type: 'integer', jsonPath: '.status.desired' },
      { name: 'Busy', type: 'integer', jsonPath: '.status.busy' },
      { name: 'Idle', type: 'integer', jsonPath: '.status.idle' },
      { name: 'Pending', type: 'integer', jsonPath: '.status.pendingJobs' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
];

function version(v: CrdVersion, storage: boolean): Record<string, unknown> {
  const schema: OpenApiSchema = v.status ? { ...v.schema, properties: { ...v.schema.properties, status: v.status } } : v.schema;
  return {
    name: v.name,
    served: true,
    storage,
    ...(v.status ? { subresources: { status: {} } } : {}),
    additionalPrinterColumns: v.columns,
    schema: { openAPIV3Schema: schema },
  };
}

export function agentSpecCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'agentspecs.azdo.gitops.dev' },
    spec: {
      group: 'azdo.gitops.dev',
      scope: 'Namespaced',
      names: { kind: 'AgentSpec', listKind: 'AgentSpecList', plural: 'agentspecs', singular: 'agentspec', shortNames: ['azas'] },
      versions: VERSIONS.map((v, i) => version(v, i === VERSIONS.length - 1)),
    },
  };
}

const HEADER = `# AgentSpec: how azdo-gitops renders agent pods for one Azure DevOps pool and capability set.
# The reconciler reads AgentSpecs from git (agentspecs/); applying them to the cluster as well
# makes \`kubectl get agentspecs\` show them and lets the API server reject invalid ones.
# Generated from reconciler/agentspec/agentSpecSchema.ts by \`npm run crd\`: do not edit.
`;

/** The CRD file's exact text. */
export function agentSpecCrdYaml(): string {
  return HEADER + stringify(agentSpecCrd(), { lineWidth: 0, aliasDuplicateObjects: false });
}
