// Reads a committed agent pod manifest back into a Manifest (labels/annotations → plain data).
import type { Manifest } from '../plan/observed.ts';
import { DEFAULT_YAML_BOUNDS, readYaml } from '../support/boundedYaml.ts';
import { show } from '../agentspec/capabilities.ts';
import { isDns1123Label } from '../agentspec/dns1123.ts';
import { isObject } from '../support/guards.ts';
import type { SpecError } from '../agentspec/specError.ts';
import {
  CREATED_AT_ANNOTATION, JOB_REQUESTS_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, POOL_LABEL, REVISION_LABEL, SPEC_LABEL,
} from './labels.ts';
import { agentContainerIndex } from './renderPod.ts';

export function isSpecError(v: unknown): v is SpecError {
  return isObject(v) && typeof v['hint'] === 'string' && typeof v['message'] === 'string' && typeof v['file'] === 'string';
}

/** A pod carries its template's annotations (up to the API server's 256 KiB) plus ours: room for both. */
const MANIFEST_BOUNDS = { ...DEFAULT_YAML_BOUNDS, maxBytes: 2 * DEFAULT_YAML_BOUNDS.maxBytes };

export function parseManifest(path: string, content: string): Manifest | SpecError {
  const err = (field: string, message: string, hint: string): SpecError => ({ file: path, field, message, hint });
  const read = readYaml(content, MANIFEST_BOUNDS);
  if (read.problem) return err('', read.problem.message, 'delete the file; azdo-gitops writes pod files once and never edits them');
  const bad = read.docs.find((d) => d.problem);
  if (bad?.problem) return err('', bad.problem.message, 'delete the file; azdo-gitops writes pod files once and never edits them');
  if (read.docs.length === 0) return err('', 'is empty', 'delete the file or let azdo-gitops re-create it');
  if (read.docs.length !== 1) return err('', `must hold exactly one Pod, found ${read.docs.length} documents`, 'one pod per file');
  const doc: unknown = read.docs[0]!.value;
  if (!isObject(doc) || doc['apiVersion'] !== 'v1' || doc['kind'] !== 'Pod') {
    return err('kind', `must be a v1 Pod, got ${isObject(doc) ? `${show(doc['apiVersion'])} ${show(doc['kind'])}` : show(doc)}`, 'only agent pods belong under pods/');
  }
  const md = isObject(doc['metadata']) ? doc['metadata'] : {};
  const name = md['name'];
  if (typeof name !== 'string' || !isDns1123Label(name)) return err('metadata.name', `must be a DNS-1123 label, got ${show(name)}`, 'pod names are <prefix>-<suffix>');
  const fileName = path.split('/').pop();
  if (fileName !== `${name}.yaml`) return err('metadata.name', `is ${JSON.stringify(name)} but the file is ${fileName}`, `name the file ${name}.yaml`);
  const labels = isObject(md['labels']) ? md['labels'] : {};
  const annotations = isObject(md['annotations']) ? md['annotations'] : {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    return err(`metadata.labels.${MANAGED_BY_LABEL}`, `must be ${MANAGED_BY_VALUE}, got ${show(labels[MANAGED_BY_LABEL])}`, 'only pods azdo-gitops rendered belong under pods/');
  }
  const specName = labels[SPEC_LABEL];
  if (typeof specName !== 'string' || specName === '') return err(`metadata.labels.${SPEC_LABEL}`, `must name the AgentSpec, got ${show(specName)}`, 'set by azdo-gitops when it renders the pod');
  const dir = path.split('/').slice(-2, -1)[0];
  if (dir !== specName) return err(`metadata.labels.${SPEC_LABEL}`, `is ${JSON.stringify(specName)} but the file is under pods/${dir}/`, `move it to pods/${specName}/`);
  const revision = labels[REVISION_LABEL];
  if (typeof revision !== 'string' || revision === '') return err(`metadata.labels.${REVISION_LABEL}`, `must be the spec revision, got ${show(revision)}`, 'set by azdo-gitops when it renders the pod');
  const createdRaw = annotations[CREATED_AT_ANNOTATION];
  const createdAt = typeof createdRaw === 'string' ? new Date(createdRaw) : new Date(NaN);
  if (Number.isNaN(createdAt.getTime())) {
    return err(`metadata.annotations.${CREATED_AT_ANNOTATION}`, `must be an ISO time, got ${show(createdRaw)}`, 'e.g. "2026-01-01T00:00:00.000Z"');
  }
  const jobsRaw = annotations[JOB_REQUESTS_ANNOTATION];
  const jobsText = jobsRaw === undefined || jobsRaw === null ? '' : String(jobsRaw);
  const jobRequestIds: number[] = [];
  if (jobsText.trim() !== '') {
    for (const part of jobsText.split(',')) {
      const n = Number(part.trim());
      if (!Number.isInteger(n) || n < 0) return err(`metadata.annotations.${JOB_REQUESTS_ANNOTATION}`, `must be comma-separated request ids, got ${show(jobsRaw)}`, 'e.g. "12,13" or ""');
      jobRequestIds.push(n);
    }
  }
  // The exact pool name is the agent container's AZP_POOL (the label is only label-safe).
  let poolName = typeof labels[POOL_LABEL] === 'string' ? (labels[POOL_LABEL] as string) : '';
  const spec = isObject(doc['spec']) ? doc['spec'] : {};
  const containers = Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]).filter(isObject) : [];
  if (containers.length === 0) return err('spec.containers', 'must list at least one container', 'delete the file; azdo-gitops re-creates agents as needed');
  const agent = containers[agentContainerIndex(containers)]!;
  const env = Array.isArray(agent['env']) ? (agent['env'] as unknown[]).filter(isObject) : [];
  const azpPool = env.find((e) => e['name'] === 'AZP_POOL')?.['value'];
  if (typeof azpPool === 'string' && azpPool !== '') poolName = azpPool;
  if (poolName === '') return err(`metadata.labels.${POOL_LABEL}`, 'no pool: neither the pool label nor AZP_POOL is set', 'set by azdo-gitops when it renders the pod');
  const literalToken = env.find((e) => String(e['name']).toUpperCase() === 'AZP_TOKEN' && e['value'] !== undefined);
  if (literalToken) return err('spec.containers.env', 'AZP_TOKEN has a literal value: a PAT must never be in git', 'remove the file, rotate the PAT, and use tokenSecretRef');
  const namespace = typeof md['namespace'] === 'string' ? md['namespace'] : undefined;
  return { path, podName: name, specName, specRevision: revision, poolName, createdAt, jobRequestIds, namespace };
}
