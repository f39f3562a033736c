// The structure of an `azdo.gitops.dev/v1alpha1` AgentSpec, written once. The CRD's
// openAPIV3Schema is generated from it (agentSpecCrd.ts, `npm run crd`), and the parser
// (parseAgentSpec.ts) takes its field names, patterns and bounds from the same nodes, so the API
// server and `validate` accept the same documents. What a schema cannot say stays in the parser:
// hints, the legacy format, template files, TARGET_NAMESPACE, conflicts between files, cron and
// time-zone syntax, secret literals, the annotation byte total. Cross-field rules are written
// here as CEL for the API server and again in the parser, which adds the hint.
import { QUALIFIED_NAME_PATTERN, QUALIFIED_NAME_PREFIX_MAX } from './objectMeta.ts';
import type { CelRule, OpenApiSchema } from './openApiSchema.ts';

export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
/** Env vars the rendered pod sets itself; a capability may not reuse them (compared case-insensitively). */
export const RESERVED_ENV = ['AZP_URL', 'AZP_POOL', 'AZP_AGENT_NAME', 'AZP_TOKEN', 'AZP_TOKEN_FILE', 'AZP_WORK', 'AZDO_GITOPS_SPEC', 'VSO_AGENT_IGNORE'] as const;

/** A CEL list literal of strings. */
const celList = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
/** The capability name of `c` (before '='), lower-cased, in CEL. */
const capabilityKey = (c: string): string => `${c}.split('=', 2)[0].lowerAscii()`;
/** CEL: every key of the map `self` is a qualified name (label and annotation keys). */
const qualifiedKeys: CelRule = {
  rule: `self.all(k, k.matches(r'${QUALIFIED_NAME_PATTERN}') && (k.indexOf('/') < 0 || k.indexOf('/') <= ${QUALIFIED_NAME_PREFIX_MAX}))`,
  message: 'keys must be qualified names: name or prefix/name, the name 1 to 63 letters, digits, "-", "_", "." starting and ending with a letter or digit, the prefix a DNS subdomain',
};

export const POOL: OpenApiSchema = { type: 'string', minLength: 1, pattern: '\\S', description: 'Azure DevOps agent pool name.' };
export const PREFIX: OpenApiSchema = {
  type: 'string',
  maxLength: 40,
  pattern: DNS1123_LABEL_PATTERN,
  description: 'Pod and agent name prefix (DNS-1123 label); defaults to metadata.name.',
};

export const CAPABILITY: OpenApiSchema = {
  type: 'string',
  maxLength: 256,
  // name, or name=value with no spaces around the value.
  pattern: '^[A-Za-z_][-A-Za-z0-9_.]*(=\\S(.*\\S)?)?$',
  'x-kubernetes-validations': [{ rule: `!(${capabilityKey('self')} in ${celList(RESERVED_ENV.map((r) => r.toLowerCase()))})`, message: `capability names ${RESERVED_ENV.join(', ')} are reserved for the agent's own environment` }],
};
export const CAPABILITIES: OpenApiSchema = {
  type: 'array',
  maxItems: 50,
  description: 'Demands the agents satisfy, as `name` or `name=value`; names are case-insensitive and listed once.',
  items: CAPABILITY,
  'x-kubernetes-validations': [{ rule: `self.all(a, self.filter(b, ${capabilityKey('b')} == ${capabilityKey('a')}).size() == 1)`, message: 'each capability name is listed once (names are case-insensitive)' }],
};

export const STANDBY: OpenApiSchema = { type: 'integer', minimum: 0, default: 0, description: 'Idle agents kept on top of demand.' };
export const MAX_AGENTS: OpenApiSchema = { type: 'integer', minimum: 1, description: "Cap on this spec's agents, busy or idle." };

export const CRON: OpenApiSchema = {
  type: 'string',
  pattern: '^\\s*\\S+(\\s+\\S+){4}\\s*$',
  description: '5-field cron expression (minute hour day-of-month month day-of-week); L, W, # and names as croner reads them. The reconciler checks the syntax.',
};
export const SCHEDULE_RULES: OpenApiSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: { type: 'object', required: ['cron', 'standby'], properties: { cron: CRON, standby: { type: 'integer', minimum: 0 } } },
};
export const STANDBY_SCHEDULE: OpenApiSchema = {
  type: 'object',
  description: "Idle agents by time of week; each rule's standby holds from its cron time until another rule fires.",
  required: ['rules'],
  properties: {
    timeZone: { type: 'string', default: 'UTC', description: 'IANA time zone of the cron expressions (the reconciler checks the name).' },
    rules: SCHEDULE_RULES,
  },
};

export const NAMESPACE: OpenApiSchema = {
  type: 'string',
  maxLength: 63,
  pattern: DNS1123_LABEL_PATTERN,
  description:
    "Namespace of the agent pods; defaults to the reconciler's TARGET_NAMESPACE and must equal it (the reconciler rejects any other: it watches one namespace). The CRD cannot know TARGET_NAMESPACE, so it checks only the syntax.",
};

export const TEMPLATE_FILE: OpenApiSchema = {
  type: 'string',
  pattern: '^\\S(.*\\S)?\\.ya?ml$',
  description: 'Repo path of a pod template file under TEMPLATES_PATH (default templates/); the reconciler checks that it exists.',
};

const CONTAINER_NAME: OpenApiSchema = { type: 'string', maxLength: 63, pattern: DNS1123_LABEL_PATTERN };
// No CEL rule for VSO_AGENT_IGNORE: over every env entry of every container (lists Kubernetes
// leaves unbounded) its estimated cost is over 100 times the API server's budget.
export const ENV: OpenApiSchema = {
  type: 'array',
  items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } },
};
const containers = (needImage: boolean, minItems?: number): OpenApiSchema => ({
  type: 'array',
  ...(minItems !== undefined ? { minItems } : {}),
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['name'],
  items: {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    required: needImage ? ['name', 'image'] : ['name'],
    properties: { name: CONTAINER_NAME, ...(needImage ? { image: { type: 'string', pattern: '\\S' } } : {}), env: ENV },
  },
});
/**
 * Labels and annotations of the pod template, each: the bound keeps the CEL rule on their keys
 * within the API server's cost budget (unbounded, it is 1.45 times over).
 */
export const META_MAP_MAX = 128;
export const LABEL_VALUE: OpenApiSchema = { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' };
export const POD_TEMPLATE: OpenApiSchema = {
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  required: ['spec'],
  properties: {
    metadata: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        labels: { type: 'object', maxProperties: META_MAP_MAX, description: 'Labels as the API server accepts them on a pod.', additionalProperties: LABEL_VALUE, 'x-kubernetes-validations': [qualifiedKeys] },
        annotations: {
          type: 'object',
          maxProperties: META_MAP_MAX,
          description: 'The reconciler also checks the 256 KiB total a pod may carry.',
          additionalProperties: { type: 'string' },
          'x-kubernetes-validations': [qualifiedKeys],
        },
      },
    },
    spec: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      required: ['containers'],
      properties: { containers: containers(true, 1), initContainers: containers(false) },
    },
  },
};

export const TOKEN_SECRET_REF: OpenApiSchema = {
  type: 'object',
  required: ['name', 'key'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN, description: 'Secret name (DNS-1123 subdomain).' },
    key: { type: 'string', maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$', description: 'Key of the agent PAT in the Secret.' },
  },
};

/** Seconds as a positive integer or digits, or parts like `90s`, `10m`, `1h30m` adding up to more than zero. */
export const DURATION_PATTERN = '^([0-9]*[1-9][0-9]*[hms]?|([0-9]+[hms])*[0-9]*[1-9][0-9]*[hms]([0-9]+[hms])*)$';
const DURATION: OpenApiSchema = {
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  description: 'Seconds, or a duration like 90s, 10m, 1h30m.',
  'x-kubernetes-validations': [{ rule: `type(self) == int ? self >= 1 : string(self).matches(r'${DURATION_PATTERN}')`, message: 'must be a duration like 90s, 10m or 1h30m, or a whole number of seconds ≥ 1' }],
};
export const DEADLINES: OpenApiSchema = {
  type: 'object',
  properties: { imagePull: DURATION, unschedulable: DURATION, registration: DURATION, sync: DURATION },
};

export const SPEC: OpenApiSchema = {
  type: 'object',
  required: ['pool', 'maxAgents', 'tokenSecretRef'],
  'x-kubernetes-validations': [
    { rule: 'has(self.template) != has(self.templateFile)', message: 'set exactly one of spec.template (inline PodTemplateSpec) or spec.templateFile (a template file)' },
    { rule: '!has(self.standby) || self.standby <= self.maxAgents', message: 'spec.standby must not exceed spec.maxAgents', fieldPath: '.standby' },
    {
      rule: '!has(self.standbySchedule) || self.standbySchedule.rules.all(r, r.standby <= self.maxAgents)',
      message: 'every spec.standbySchedule rule\'s standby must not exceed spec.maxAgents',
      fieldPath: '.standbySchedule.rules',
    },
  ],
  properties: {
    pool: POOL,
    prefix: PREFIX,
    capabilities: CAPABILITIES,
    standby: STANDBY,
    standbySchedule: STANDBY_SCHEDULE,
    maxAgents: MAX_AGENTS,
    namespace: NAMESPACE,
    templateFile: TEMPLATE_FILE,
    template: POD_TEMPLATE,
    tokenSecretRef: TOKEN_SECRET_REF,
    deadlines: DEADLINES,
  },
};

/** metadata.name: the API server allows a DNS subdomain of 253; pods and agents are named after it. */
export const NAME_MAX = 63;

/** The whole document; the API server lets a root rule read metadata.name. */
export const AGENT_SPEC: OpenApiSchema = {
  type: 'object',
  required: ['spec'],
  'x-kubernetes-validations': [
    { rule: `size(self.metadata.name) <= ${NAME_MAX} && self.metadata.name.matches(r'${DNS1123_LABEL_PATTERN}')`, message: `metadata.name must be a DNS-1123 label (lower-case letters, digits, '-', ≤ ${NAME_MAX})` },
    {
      rule: `has(self.spec.prefix) || size(self.metadata.name) <= ${PREFIX.maxLength}`,
      message: `spec.prefix is needed: metadata.name is longer than ${PREFIX.maxLength} characters`,
    },
  ],
  properties: { spec: SPEC },
};

/** The spec's fields, in schema order (for "unknown field" hints). */
export const SPEC_FIELDS: readonly string[] = Object.keys(SPEC.properties ?? {});
/** The deadlines' fields. */
export const DEADLINE_FIELDS: readonly string[] = Object.keys(DEADLINES.properties ?? {});
