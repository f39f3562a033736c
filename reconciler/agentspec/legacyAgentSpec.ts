// The predecessor's `azdo.octolamp.nl/v1` AgentSpec, unchanged: spec {prefix, image, imagePullSecretName}.
// Pool, standby, max, namespace and token Secret come from SpecDefaults (legacy env vars).
// An upper-case or otherwise invalid prefix is normalized to DNS-1123 without error
// (the predecessor failed there).
import type { PodTemplate } from './agentSpec.ts';
import { show } from './capabilities.ts';
import { isDns1123Label, toDns1123Label } from './dns1123.ts';
import { ErrorSink } from './errorSink.ts';
import { isObject } from '../support/guards.ts';
import type { ParsedDoc } from './parseAgentSpec.ts';
import { PREFIX_MAX } from './parseAgentSpec.ts';
import { specRevision } from './revision.ts';
import type { SpecDefaults } from './specDefaults.ts';

export function parseLegacy(doc: Record<string, unknown>, file: string, errorFile: string, defaults: SpecDefaults): ParsedDoc {
  const sink = new ErrorSink(errorFile);
  const md = doc['metadata'];
  const rawName = isObject(md) ? md['name'] : undefined;
  let name: string | undefined;
  if (typeof rawName === 'string' && toDns1123Label(rawName) !== '') {
    name = isDns1123Label(rawName) ? rawName : toDns1123Label(rawName);
  } else {
    sink.add('metadata.name', `must be a name, got ${show(rawName)}`, 'set metadata.name: linux-agents');
  }
  const spec = doc['spec'];
  if (!isObject(spec)) {
    sink.add('spec', `must be a mapping, got ${show(spec)}`, 'add spec: {prefix: agent, image: <agent image>}');
    return { spec: undefined, errors: sink.errors };
  }
  const rawPrefix = spec['prefix'];
  let prefix: string | undefined;
  if (rawPrefix === undefined || rawPrefix === null) prefix = name === undefined ? undefined : toDns1123Label(name, PREFIX_MAX);
  else if (typeof rawPrefix === 'string' || typeof rawPrefix === 'number') {
    prefix = toDns1123Label(String(rawPrefix), PREFIX_MAX) || (name === undefined ? undefined : toDns1123Label(name, PREFIX_MAX));
  }
  if (prefix === undefined || prefix === '') {
    sink.add('spec.prefix', `must be a name prefix, got ${show(rawPrefix)}`, 'set spec.prefix: agent');
    prefix = undefined;
  }
  const image = spec['image'];
  if (typeof image !== 'string' || image.trim() === '') {
    sink.add('spec.image', `must be the agent container image, got ${show(image)}`, 'set spec.image: <registry>/<agent image>:<tag>');
  }
  const pullSecret = spec['imagePullSecretName'];
  if (pullSecret !== undefined && pullSecret !== null && (typeof pullSecret !== 'string' || pullSecret.trim() === '')) {
    sink.add('spec.imagePullSecretName', `must be a Secret name, got ${show(pullSecret)}`, 'set spec.imagePullSecretName: regcred, or remove it');
  }
  const pool = defaults.pool;
  if (pool === undefined || pool.trim() === '') {
    sink.add('', 'a legacy azdo.octolamp.nl/v1 AgentSpec takes its pool from AZDO_POOLNAME, which is not set', 'set AZDO_POOLNAME, or convert the spec to azdo.gitops.dev/v1alpha1 with spec.pool');
  }
  if (sink.count > 0 || name === undefined || prefix === undefined || typeof image !== 'string' || pool === undefined) {
    return { spec: undefined, errors: sink.errors };
  }
  const podSpec: Record<string, unknown> = { containers: [{ name: 'agent', image: image.trim() }] };
  if (typeof pullSecret === 'string') podSpec['imagePullSecrets'] = [{ name: pullSecret.trim() }];
  const template = { spec: podSpec } as PodTemplate;
  const standby = Math.min(defaults.standby, defaults.maxAgents);
  return {
    spec: {
      name,
      file,
      format: 'legacy',
      pool,
      prefix,
      capabilities: [],
      standby,
      maxAgents: defaults.maxAgents,
      namespace: defaults.namespace,
      template,
      tokenSecretRef: defaults.tokenSecretRef,
      deadlines: defaults.deadlines,
      revision: specRevision({ pool, capabilities: [], template, tokenSecretRef: defaults.tokenSecretRef, namespace: defaults.namespace, prefix }),
    },
    errors: [],
  };
}
