// Parses one `azdo.gitops.dev/v1alpha1` AgentSpec document (already YAML-decoded) into an AgentSpec.
import type { AgentSpec, Capability, Deadlines, PodTemplate, SecretKeyRef } from './agentSpec.ts';
import { CAPABILITIES, DEADLINE_FIELDS, NAME_MAX, NAMESPACE, POOL, PREFIX, SPEC_FIELDS, TEMPLATE_FILE, TOKEN_SECRET_REF } from './agentSpecSchema.ts';
import { parseCapability, show, sortCapabilities } from './capabilities.ts';
import { toDns1123Label } from './dns1123.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { ErrorSink } from './errorSink.ts';
import { isObject } from '../support/guards.ts';
import { maxItemsOf, maxLengthOf, patternOf } from './openApiSchema.ts';
import { checkPodTemplate, templateFromFile } from './podTemplate.ts';
import { podSafetyWarnings } from './podSafety.ts';
import { specRevision } from './revision.ts';
import { parseStandbySchedule } from './standbySchedule.ts';
import type { SpecDefaults } from './specDefaults.ts';
import type { SpecError } from './specError.ts';

// Field names, patterns and bounds come from the schema the CRD is generated from (agentSpecSchema.ts).
export const PREFIX_MAX = maxLengthOf(PREFIX);
const SPEC_KEYS = SPEC_FIELDS;
const DEADLINE_TARGETS: Record<string, keyof Deadlines> = {
  imagePull: 'imagePullSeconds',
  unschedulable: 'unschedulableSeconds',
  registration: 'registrationSeconds',
  sync: 'syncSeconds',
};
const DEADLINE_KEYS: Record<string, keyof Deadlines> = Object.fromEntries(
  DEADLINE_FIELDS.map((k) => {
    const target = DEADLINE_TARGETS[k];
    if (target === undefined) throw new Error(`deadline ${k} of the schema has no Deadlines field`);
    return [k, target];
  }),
);
const POOL_PATTERN = patternOf(POOL);
const PREFIX_PATTERN = patternOf(PREFIX);
const NAMESPACE_PATTERN = patternOf(NAMESPACE);
const TEMPLATE_FILE_PATTERN = patternOf(TEMPLATE_FILE);
const SECRET_NAME = TOKEN_SECRET_REF.properties!['name']!;
const SECRET_KEY = TOKEN_SECRET_REF.properties!['key']!;
const CAPABILITIES_MAX = maxItemsOf(CAPABILITIES);

export interface ParsedDoc {
  readonly spec: AgentSpec | undefined;
  readonly errors: SpecError[];
  /** Risky but accepted (podSafety.ts). */
  readonly warnings?: SpecError[];
}

/**
 * @param file repo-relative path (AgentSpec.file)
 * @param errorFile what errors name as the file (the path, plus the document number in multi-document files)
 */
export function parseV1alpha1(
  doc: Record<string, unknown>,
  file: string,
  errorFile: string,
  templates: ReadonlyMap<string, string>,
  defaults: SpecDefaults,
): ParsedDoc {
  const sink = new ErrorSink(errorFile);
  const templateErrors: SpecError[] = [];
  const name = metadataName(doc, sink);
  const spec = doc['spec'];
  if (!isObject(spec)) {
    sink.add('spec', `must be a mapping, got ${show(spec)}`, 'add spec: {pool: <pool>, maxAgents: 10, template: {...}, tokenSecretRef: {name, key}}');
    return { spec: undefined, errors: sink.errors };
  }
  for (const k of Object.keys(spec)) {
    if (SPEC_KEYS.includes(k)) continue;
    const near = SPEC_KEYS.find((x) => x.toLowerCase() === k.toLowerCase());
    sink.add(`spec.${k}`, 'unknown field', near ? `did you mean spec.${near}?` : `known fields: ${SPEC_KEYS.join(', ')}`);
  }

  const pool = spec['pool'];
  if (typeof pool !== 'string' || !POOL_PATTERN.test(pool)) {
    sink.add('spec.pool', `must name an Azure DevOps agent pool, got ${show(pool)}`, `set spec.pool: ${defaults.pool ?? 'k8s-agents'}`);
  }

  let prefix: string | undefined;
  const rawPrefix = spec['prefix'];
  if (rawPrefix === undefined) {
    if (name !== undefined) {
      if (name.length <= PREFIX_MAX) prefix = name;
      else sink.add('spec.prefix', `is needed: metadata.name is longer than ${PREFIX_MAX} characters`, `set spec.prefix: ${toDns1123Label(name, PREFIX_MAX)}`);
    }
  } else if (typeof rawPrefix !== 'string' || !PREFIX_PATTERN.test(rawPrefix) || rawPrefix.length > PREFIX_MAX) {
    const fixed = typeof rawPrefix === 'string' ? toDns1123Label(rawPrefix, PREFIX_MAX) : '';
    sink.add(
      'spec.prefix',
      `must be a DNS-1123 label of at most ${PREFIX_MAX} characters (lower-case letters, digits, '-'), got ${show(rawPrefix)}`,
      `set spec.prefix: ${fixed || 'linux'}`,
    );
  } else prefix = rawPrefix;

  const capabilities = parseCapabilities(spec['capabilities'], sink);

  const standby = integer(spec['standby'], 0, 0, 'spec.standby', sink, 1);
  const maxAgents = integer(spec['maxAgents'], undefined, 1, 'spec.maxAgents', sink, 10);
  if (standby !== undefined && maxAgents !== undefined && standby > maxAgents) {
    sink.add('spec.standby', `must not exceed spec.maxAgents (${maxAgents}), got ${standby}`, `set spec.standby: ${maxAgents} or raise spec.maxAgents`);
  }

  const standbySchedule = parseStandbySchedule(spec['standbySchedule'], maxAgents, sink);

  let namespace: string | undefined = defaults.namespace;
  if (spec['namespace'] !== undefined) {
    const ns = spec['namespace'];
    if (typeof ns !== 'string' || !NAMESPACE_PATTERN.test(ns) || ns.length > maxLengthOf(NAMESPACE)) {
      namespace = undefined;
      sink.add('spec.namespace', `must be a DNS-1123 label, got ${show(ns)}`, `set spec.namespace: ${(typeof ns === 'string' && toDns1123Label(ns)) || defaults.namespace}`);
    } else if (ns !== defaults.namespace) {
      // The reconciler watches (and its Role covers) one namespace: pods elsewhere would never
      // be observed, so their agents would be pruned as pod-deleted and replaced, over and over.
      namespace = undefined;
      sink.add(
        'spec.namespace',
        `is ${JSON.stringify(ns)}, but the reconciler watches only TARGET_NAMESPACE ${JSON.stringify(defaults.namespace)}: pods elsewhere would never be observed`,
        `remove spec.namespace (pods go to ${defaults.namespace}), or run a reconciler with TARGET_NAMESPACE=${ns} for that namespace`,
      );
    } else namespace = ns;
  }

  let template: PodTemplate | undefined;
  let templateField = 'spec.template';
  const hasInline = spec['template'] !== undefined;
  const hasFile = spec['templateFile'] !== undefined;
  if (hasInline && hasFile) {
    sink.add('spec.template', 'spec.template and spec.templateFile are both set', 'keep exactly one of them');
  } else if (!hasInline && !hasFile) {
    sink.add('spec', 'has neither spec.template nor spec.templateFile', 'set spec.templateFile: templates/agent.yaml or an inline spec.template');
  } else if (hasInline) {
    template = checkPodTemplate(spec['template'], sink, 'spec.template');
  } else {
    const tf = spec['templateFile'];
    if (typeof tf !== 'string' || !TEMPLATE_FILE_PATTERN.test(tf)) {
      sink.add('spec.templateFile', `must be the repo path of a .yaml or .yml file like "templates/agent.yaml", got ${show(tf)}`, 'set spec.templateFile: templates/agent.yaml');
    } else {
      const path = normalizeRepoPath(tf);
      const content = templates.get(path);
      if (content === undefined) {
        const known = [...templates.keys()].sort();
        sink.add('spec.templateFile', `${path} does not exist in the repo`, known.length ? `use one of: ${known.join(', ')}` : 'add the template file under templates/');
      } else {
        templateField = `spec.templateFile(${path})`;
        const tsink = new ErrorSink(path);
        template = templateFromFile(content, tsink);
        for (const e of tsink.errors) templateErrors.push({ ...e, message: `${e.message} (template of ${errorFile})` });
        if (tsink.count > 0) sink.add('spec.templateFile', `${path} is not a valid pod template (see its errors)`, 'fix the template file');
      }
    }
  }

  const tokenSecretRef = secretRef(spec['tokenSecretRef'], sink, defaults.tokenSecretRef);
  const deadlines = parseDeadlines(spec['deadlines'], sink, defaults.deadlines);

  if (
    sink.count > 0 || name === undefined || prefix === undefined || capabilities === undefined || standby === undefined ||
    maxAgents === undefined || namespace === undefined || template === undefined || tokenSecretRef === undefined ||
    deadlines === undefined || typeof pool !== 'string' || standbySchedule === undefined
  ) {
    return { spec: undefined, errors: [...sink.errors, ...templateErrors] };
  }
  const poolName = pool.trim();
  const warnings = podSafetyWarnings(template, templateField).map((w) => ({ file: errorFile, ...w }));
  return {
    spec: {
      name,
      file,
      format: 'v1alpha1',
      pool: poolName,
      prefix,
      capabilities,
      standby,
      ...(standbySchedule ? { standbySchedule } : {}),
      maxAgents,
      namespace,
      template,
      tokenSecretRef,
      deadlines,
      revision: specRevision({ pool: poolName, capabilities, template, tokenSecretRef, namespace, prefix }),
    },
    errors: [],
    warnings,
  };
}

function metadataName(doc: Record<string, unknown>, sink: ErrorSink): string | undefined {
  const md = doc['metadata'];
  const name = isObject(md) ? md['name'] : undefined;
  if (typeof name !== 'string' || !PREFIX_PATTERN.test(name) || name.length > NAME_MAX) {
    const fixed = typeof name === 'string' ? toDns1123Label(name, NAME_MAX) : '';
    sink.add('metadata.name', `must be a DNS-1123 label (lower-case letters, digits, '-', ≤ ${NAME_MAX}), got ${show(name)}`, `set metadata.name: ${fixed || 'linux'}`);
    return undefined;
  }
  return name;
}

function parseCapabilities(raw: unknown, sink: ErrorSink): Capability[] | undefined {
  // null is not "not set": the API server refuses it (server-side apply keeps nulls).
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    sink.add('spec.capabilities', `must be a list of strings, got ${show(raw)}`, 'set spec.capabilities: ["docker", "java=17"]');
    return undefined;
  }
  if (raw.length > CAPABILITIES_MAX) {
    sink.add('spec.capabilities', `lists ${raw.length} capabilities, more than ${CAPABILITIES_MAX}`, 'demand fewer capabilities, or split the agents over more specs');
    return undefined;
  }
  const out: Capability[] = [];
  const seen = new Set<string>();
  let ok = true;
  raw.forEach((c, i) => {
    const r = parseCapability(c);
    if (!r.ok) {
      ok = false;
      sink.add(`spec.capabilities[${i}]`, r.problem, 'use "name" or "name=value", e.g. "docker" or "java=17"');
      return;
    }
    const key = r.capability.name.toLowerCase();
    if (seen.has(key)) {
      ok = false;
      sink.add(`spec.capabilities[${i}]`, `duplicate capability ${r.capability.name} (names are case-insensitive)`, 'list each capability once');
      return;
    }
    seen.add(key);
    out.push(r.capability);
  });
  return ok ? sortCapabilities(out) : undefined;
}

export function integer(raw: unknown, dflt: number | undefined, min: number, field: string, sink: ErrorSink, example: number): number | undefined {
  // null takes the default where the schema has one (the API server defaults it too).
  if (raw === undefined || raw === null) {
    if (dflt !== undefined) return dflt;
    sink.add(field, `is required: an integer ≥ ${min}`, `set ${field}: ${example}`);
    return undefined;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min) {
    const n = typeof raw === 'string' ? Number(raw) : NaN;
    const suggestion = Number.isInteger(n) && n >= min ? n : example;
    sink.add(field, `must be an integer ≥ ${min}, got ${show(raw)}`, `set ${field}: ${suggestion}`);
    return undefined;
  }
  return raw;
}

function secretRef(raw: unknown, sink: ErrorSink, dflt: SecretKeyRef): SecretKeyRef | undefined {
  const hint = `set spec.tokenSecretRef: {name: ${dflt.name}, key: ${dflt.key}}`;
  if (!isObject(raw)) {
    sink.add('spec.tokenSecretRef', `must name the Secret holding the agent PAT, got ${show(raw)}`, hint);
    return undefined;
  }
  const name = raw['name'];
  const key = raw['key'];
  let ok = true;
  if (typeof name !== 'string' || !patternOf(SECRET_NAME).test(name) || name.length > maxLengthOf(SECRET_NAME)) {
    sink.add('spec.tokenSecretRef.name', `must be a Secret name (DNS-1123 subdomain), got ${show(name)}`, `set spec.tokenSecretRef.name: ${dflt.name}`);
    ok = false;
  }
  if (typeof key !== 'string' || !patternOf(SECRET_KEY).test(key) || key.length > maxLengthOf(SECRET_KEY)) {
    sink.add('spec.tokenSecretRef.key', `must be a key of the Secret (letters, digits, '-', '_', '.'), got ${show(key)}`, `set spec.tokenSecretRef.key: ${dflt.key}`);
    ok = false;
  }
  return ok ? { name: name as string, key: key as string } : undefined;
}

function parseDeadlines(raw: unknown, sink: ErrorSink, dflt: Deadlines): Deadlines | undefined {
  if (raw === undefined) return dflt;
  if (!isObject(raw)) {
    sink.add('spec.deadlines', `must be a mapping, got ${show(raw)}`, 'set spec.deadlines: {imagePull: 10m, unschedulable: 15m, registration: 10m, sync: 10m}');
    return undefined;
  }
  const out: Record<keyof Deadlines, number> = { ...dflt };
  let ok = true;
  for (const [k, v] of Object.entries(raw)) {
    const target = DEADLINE_KEYS[k];
    if (!target) {
      sink.add(`spec.deadlines.${k}`, 'unknown deadline', `known deadlines: ${Object.keys(DEADLINE_KEYS).join(', ')}`);
      ok = false;
      continue;
    }
    const secs = parseDuration(v);
    if (secs === undefined) {
      sink.add(`spec.deadlines.${k}`, `must be a duration like 90s, 10m or 1h30m, or whole seconds, got ${show(v)}`, `set spec.deadlines.${k}: ${formatDuration(dflt[target])}`);
      ok = false;
      continue;
    }
    out[target] = secs;
  }
  return ok ? out : undefined;
}

export function normalizeRepoPath(p: string): string {
  return p.trim().replace(/^\.\//, '').replace(/^\/+/, '');
}
