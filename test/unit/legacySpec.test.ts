import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import type { SpecDefaults } from '../../reconciler/agentspec/specDefaults.ts';

const defaults: SpecDefaults = {
  ...DEFAULT_SPEC_DEFAULTS,
  pool: 'legacy-pool',
  standby: 2,
  maxAgents: 8,
  namespace: 'target-ns',
};
const legacy = (name: string, spec: string) => `apiVersion: azdo.octolamp.nl/v1\nkind: AgentSpec\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
const parse = (content: string, d: SpecDefaults = defaults) => parseAgentSpecs([{ path: 'agentspecs/legacy.yaml', content }], new Map(), d);

test('a legacy spec takes pool, standby, max, namespace and token Secret from the defaults', () => {
  const { specs, errors } = parse(legacy('build', '  prefix: build\n  image: example.com/agent:2\n  imagePullSecretName: regcred\n'));
  assert.deepEqual(errors, []);
  const s = specs[0]!;
  assert.equal(s.format, 'legacy');
  assert.equal(s.pool, 'legacy-pool');
  assert.equal(s.standby, 2);
  assert.equal(s.maxAgents, 8);
  assert.equal(s.namespace, 'target-ns');
  assert.deepEqual(s.tokenSecretRef, { name: 'azdo-agent-token', key: 'token' });
  assert.deepEqual(s.capabilities, []);
  assert.deepEqual(s.template, { spec: { containers: [{ name: 'agent', image: 'example.com/agent:2' }], imagePullSecrets: [{ name: 'regcred' }] } });
  assert.match(s.revision, /^[0-9a-f]{10}$/);
});

test('an upper-case legacy prefix is normalized to DNS-1123 without error', () => {
  const { specs, errors } = parse(legacy('build', '  prefix: Build_Agent\n  image: i\n'));
  assert.deepEqual(errors, []);
  assert.equal(specs[0]!.prefix, 'build-agent');
});

test('a legacy prefix too long for a pod name is cut to 40 characters without error', () => {
  const { specs, errors } = parse(legacy('build', `  prefix: ${'X'.repeat(70)}\n  image: i\n`));
  assert.deepEqual(errors, []);
  assert.equal(specs[0]!.prefix, 'x'.repeat(40));
});

test('a legacy spec without a usable prefix falls back to its name', () => {
  assert.equal(parse(legacy('build', '  prefix: "___"\n  image: i\n')).specs[0]!.prefix, 'build');
  assert.equal(parse(legacy('build', '  image: i\n')).specs[0]!.prefix, 'build');
});

test('a legacy spec without an image is an error', () => {
  const { specs, errors } = parse(legacy('build', '  prefix: b\n'));
  assert.equal(specs.length, 0);
  assert.equal(errors[0]!.field, 'spec.image');
});

test('a legacy spec without AZDO_POOLNAME is an error that says so', () => {
  const { specs, errors } = parse(legacy('build', '  prefix: b\n  image: i\n'), { ...defaults, pool: undefined });
  assert.equal(specs.length, 0);
  assert.match(errors[0]!.message, /AZDO_POOLNAME/);
});

test('a legacy standby above the max is clamped to the max', () => {
  assert.equal(parse(legacy('build', '  image: i\n'), { ...defaults, standby: 20 }).specs[0]!.standby, 8);
});

test('legacy and v1alpha1 specs coexist; their prefixes must still be unique', () => {
  const v1 = 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata: {name: linux}\nspec:\n  pool: p\n  maxAgents: 2\n  prefix: build\n  template: {spec: {containers: [{name: agent, image: i}]}}\n  tokenSecretRef: {name: s, key: k}\n';
  const { specs, errors } = parseAgentSpecs(
    [{ path: 'agentspecs/a.yaml', content: legacy('build', '  prefix: BUILD\n  image: i\n') }, { path: 'agentspecs/b.yaml', content: v1 }],
    new Map(),
    defaults,
  );
  assert.deepEqual(specs.map((s) => s.name), ['build']);
  assert.equal(errors[0]!.field, 'spec.prefix');
  assert.equal(errors[0]!.file, 'agentspecs/b.yaml');
});
