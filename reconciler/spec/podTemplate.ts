// Checks a PodTemplateSpec (inline in a spec, or from templates/*.yaml) and returns it as plain JSON.
import { parseAllDocuments } from 'yaml';
import type { PodTemplate } from './agentSpec.ts';
import { show } from './capabilities.ts';
import { isDns1123Label } from './dns1123.ts';
import { ErrorSink, isObject } from './errorSink.ts';

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
      if (e['name'].toUpperCase() === 'AZP_TOKEN' && e['value'] !== undefined) {
        // Never echo the value: it is a secret.
        sink.add(
          `${f}.env[${j}]`,
          'AZP_TOKEN has a literal value: a PAT must never be written into a pod template or git',
          'remove this env entry; the agent gets AZP_TOKEN from spec.tokenSecretRef as a secretKeyRef',
        );
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
  return { ...(v as Record<string, string>) };
}

/**
 * The PodTemplateSpec in a template file: a bare `{metadata?, spec}`, a `kind: PodTemplate`
 * (`template:`), or a `kind: Pod` (its metadata labels/annotations and spec).
 */
export function templateFromFile(content: string, sink: ErrorSink): PodTemplate | undefined {
  const docs = parseAllDocuments(content);
  if (!Array.isArray(docs)) {
    sink.add('', 'is empty', `put a PodTemplateSpec in it: ${SAMPLE}`);
    return undefined;
  }
  const nonEmpty = docs.filter((d) => d.contents !== null);
  for (const d of docs) {
    if (d.errors.length > 0) {
      sink.add('', `is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`, 'fix the YAML syntax');
      return undefined;
    }
  }
  if (nonEmpty.length !== 1) {
    sink.add('', `must hold exactly one YAML document, found ${nonEmpty.length}`, `put one PodTemplateSpec in it: ${SAMPLE}`);
    return undefined;
  }
  const raw: unknown = nonEmpty[0]!.toJS();
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
