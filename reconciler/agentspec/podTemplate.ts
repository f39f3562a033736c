// Checks a PodTemplateSpec (inline in a spec, or from templates/*.yaml) and returns it as plain JSON.
import type { PodTemplate } from './agentSpec.ts';
import { META_MAP_MAX } from './agentSpecSchema.ts';
import { readYaml } from '../support/boundedYaml.ts';
import { show } from './capabilities.ts';
import { isDns1123Label } from './dns1123.ts';
import type { ErrorSink } from './errorSink.ts';
import { isObject } from '../support/guards.ts';
import { ANNOTATIONS_MAX_BYTES, RECONCILER_ANNOTATION_BYTES, annotationBytes, labelValueProblem, qualifiedNameProblem } from './objectMeta.ts';
import { PAT_SHAPE, containsPat } from '../support/patShape.ts';
import { isSecretPathValue, looksLikeSecretName } from './secretLiterals.ts';

const SAMPLE = 'spec: {containers: [{name: agent, image: <your agent image>}]}';

/** Validates `raw` as a PodTemplateSpec, reporting into `sink` under `field`. */
export function checkPodTemplate(raw: unknown, sink: ErrorSink, field: string): PodTemplate | undefined {
  const before = sink.count;
  const at = (f: string) => (field ? `${field}.${f}` : f);
  if (!isObject(raw)) {
    sink.add(field, `must be a PodTemplateSpec mapping, got ${show(raw)}`, `set ${field || 'the template'}: {${SAMPLE}}`);
    return undefined;
  }
  let metadata: PodTemplate['metadata'];
  if (raw['metadata'] !== undefined) {
    const m = raw['metadata'];
    if (!isObject(m)) sink.add(at('metadata'), `must be a mapping, got ${show(m)}`, 'use metadata: {labels: {...}, annotations: {...}}');
    else {
      const labels = stringMap(m['labels'], sink, at('metadata.labels'));
      const annotations = stringMap(m['annotations'], sink, at('metadata.annotations'));
      if (labels) checkLabels(labels, sink, at('metadata.labels'));
      if (annotations) checkAnnotations(annotations, sink, at('metadata.annotations'));
      metadata = {
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
      };
    }
  }
  const spec = raw['spec'];
  if (!isObject(spec)) {
    sink.add(at('spec'), `must be a PodSpec mapping with containers, got ${show(spec)}`, `set ${SAMPLE}`);
    return undefined;
  }
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    sink.add(at('spec.containers'), `must list at least one container, got ${show(containers)}`, 'add containers: [{name: agent, image: <your agent image>}]');
    return undefined;
  }
  checkContainers(containers, sink, at('spec.containers'), true);
  if (spec['initContainers'] !== undefined) {
    if (!Array.isArray(spec['initContainers'])) sink.add(at('spec.initContainers'), `must be a list, got ${show(spec['initContainers'])}`, 'use initContainers: [{name, image}]');
    else checkContainers(spec['initContainers'], sink, at('spec.initContainers'), false);
  }
  if (sink.count > before) return undefined;
  const out: PodTemplate = {
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
    spec: structuredClone(spec) as PodTemplate['spec'],
  };
  return out;
}

function checkContainers(list: unknown[], sink: ErrorSink, field: string, needImage: boolean): void {
  const names = new Set<string>();
  list.forEach((c, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(c)) {
      sink.add(f, `must be a container mapping, got ${show(c)}`, 'use {name: agent, image: <your agent image>}');
      return;
    }
    const name = c['name'];
    if (typeof name !== 'string' || !isDns1123Label(name)) {
      sink.add(`${f}.name`, `must be a DNS-1123 label (lower-case letters, digits, '-'), got ${show(name)}`, 'set name: agent');
    } else if (names.has(name)) {
      sink.add(`${f}.name`, `duplicate container name ${JSON.stringify(name)}`, 'give each container its own name');
    } else names.add(name);
    if (needImage && (typeof c['image'] !== 'string' || c['image'].trim() === '')) {
      sink.add(`${f}.image`, `must be a container image, got ${show(c['image'])}`, 'set image: <registry>/<agent image>:<tag>');
    }
    for (const key of ['command', 'args'] as const) {
      const list = c[key];
      if (!Array.isArray(list)) continue;
      list.forEach((a, k) => {
        if (typeof a === 'string' && containsPat(a)) {
          // Never echo the value: it is a secret.
          sink.add(`${f}.${key}[${k}]`, `holds what looks like an Azure DevOps PAT (${PAT_SHAPE}): a PAT must never be written into a pod template or git`, 'remove it and revoke that PAT; the agent gets its token from spec.tokenSecretRef');
        }
      });
    }
    const env = c['env'];
    if (env === undefined) return;
    if (!Array.isArray(env)) {
      sink.add(`${f}.env`, `must be a list of {name, value} entries, got ${show(env)}`, 'use env: [{name: FOO, value: "bar"}]');
      return;
    }
    env.forEach((e, j) => {
      if (!isObject(e) || typeof e['name'] !== 'string') {
        sink.add(`${f}.env[${j}]`, `must be an env entry with a name, got ${show(e)}`, 'use {name: FOO, value: "bar"}');
        return;
      }
      // Never echo the value: it is a secret.
      const name = e['name'];
      const value = e['value'];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        // The API server refuses the pod (and the CRD the spec); the value itself is not shown.
        sink.add(`${f}.env[${j}].value`, `must be a string, got a ${Array.isArray(value) ? 'list' : typeof value}`, `quote it, e.g. {name: ${name.trim() || 'FOO'}, value: "1"}`);
        return;
      }
      if (looksLikeSecretName(name) && value !== undefined && value !== null && !isSecretPathValue(name, value)) {
        sink.add(
          `${f}.env[${j}]`,
          `${show(name)} looks like a secret and has a literal value: a token or password must never be written into a pod template or git`,
          /^AZP_TOKEN$/i.test(name.trim())
            ? 'remove this env entry; the agent gets AZP_TOKEN from spec.tokenSecretRef as a secretKeyRef'
            : `use valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} for ${name.trim()}`,
        );
      } else if (typeof value === 'string' && containsPat(value)) {
        sink.add(`${f}.env[${j}]`, `${show(name)} holds what looks like an Azure DevOps PAT (${PAT_SHAPE}): a PAT must never be written into a pod template or git`, 'remove it and revoke that PAT; use valueFrom.secretKeyRef');
      }
      if (e['name'] === 'VSO_AGENT_IGNORE' && typeof e['value'] !== 'string') {
        // azdo-gitops adds AZP_TOKEN,AZP_TOKEN_FILE to the list: it must be able to read it.
        sink.add(`${f}.env[${j}]`, 'VSO_AGENT_IGNORE must have a literal value', 'write the list inline, e.g. {name: VSO_AGENT_IGNORE, value: "MY_SECRET"}');
      }
    });
  });
}

function stringMap(v: unknown, sink: ErrorSink, field: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    sink.add(field, `must map names to strings, got ${show(v)}`, 'quote values, e.g. team: "ci"');
    return undefined;
  }
  const n = Object.keys(v).length;
  if (n > META_MAP_MAX) {
    sink.add(field, `has ${n} entries, more than ${META_MAP_MAX}`, 'keep large data in a ConfigMap and reference it');
    return undefined;
  }
  return { ...(v as Record<string, string>) };
}

function checkLabels(labels: Record<string, string>, sink: ErrorSink, field: string): void {
  for (const [k, v] of Object.entries(labels)) {
    const problem = qualifiedNameProblem(k) ?? labelValueProblem(v);
    if (problem) sink.add(`${field}.${k.length > 80 ? k.slice(0, 60) + '...' : k}`, `is not a valid Kubernetes label: ${problem}`, 'e.g. team: ci or example.com/team: ci (values at most 63 characters)');
  }
}

function checkAnnotations(annotations: Record<string, string>, sink: ErrorSink, field: string): void {
  for (const k of Object.keys(annotations)) {
    const problem = qualifiedNameProblem(k);
    if (problem) sink.add(`${field}.${k.length > 80 ? k.slice(0, 60) + '...' : k}`, `is not a valid annotation key: ${problem}`, 'e.g. example.com/owner: ci');
  }
  const bytes = annotationBytes(annotations);
  const max = ANNOTATIONS_MAX_BYTES - RECONCILER_ANNOTATION_BYTES;
  if (bytes > max) {
    sink.add(field, `total ${bytes} bytes, over the ${max} bytes left of the API server's 256 KiB annotation limit: every pod would be refused`, 'keep large data in a ConfigMap and reference it');
  }
}

/**
 * The PodTemplateSpec in a template file: a bare `{metadata?, spec}`, a `kind: PodTemplate`
 * (`template:`), or a `kind: Pod` (its metadata labels/annotations and spec).
 */
export function templateFromFile(content: string, sink: ErrorSink): PodTemplate | undefined {
  const read = readYaml(content);
  if (read.problem) {
    sink.add('', read.problem.message, read.problem.hint);
    return undefined;
  }
  if (read.docs.length === 0) {
    sink.add('', 'is empty', `put a PodTemplateSpec in it: ${SAMPLE}`);
    return undefined;
  }
  const bad = read.docs.find((d) => d.problem);
  if (bad?.problem) {
    sink.add('', bad.problem.message, bad.problem.hint);
    return undefined;
  }
  if (read.docs.length !== 1) {
    sink.add('', `must hold exactly one YAML document, found ${read.docs.length}`, `put one PodTemplateSpec in it: ${SAMPLE}`);
    return undefined;
  }
  const raw: unknown = read.docs[0]!.value;
  if (isObject(raw) && raw['kind'] === 'PodTemplate') return checkPodTemplate(raw['template'], sink, 'template');
  if (isObject(raw) && raw['kind'] === 'Pod') {
    const md = isObject(raw['metadata']) ? raw['metadata'] : {};
    const picked: Record<string, unknown> = { spec: raw['spec'] };
    const meta: Record<string, unknown> = {};
    if (md['labels'] !== undefined) meta['labels'] = md['labels'];
    if (md['annotations'] !== undefined) meta['annotations'] = md['annotations'];
    if (Object.keys(meta).length > 0) picked['metadata'] = meta;
    return checkPodTemplate(picked, sink, '');
  }
  return checkPodTemplate(raw, sink, '');
}
