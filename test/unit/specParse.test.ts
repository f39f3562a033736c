import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import type { SpecDefaults } from '../../reconciler/agentspec/specDefaults.ts';
import { formatSpecError } from '../../reconciler/agentspec/specError.ts';

const defaults: SpecDefaults = { ...DEFAULT_SPEC_DEFAULTS, pool: 'legacy-pool', namespace: 'agents-ns' };
const TEMPLATE = `spec:\n  containers:\n    - name: agent\n      image: example.com/agent:1\n`;
const templates = new Map([['templates/agent.yaml', TEMPLATE]]);

function specYaml(name: string, spec: string): string {
  return `apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}
const GOOD = `  pool: k8s-agents\n  capabilities: ["docker", "java=17"]\n  standby: 1\n  maxAgents: 5\n  templateFile: templates/agent.yaml\n  tokenSecretRef: {name: azdo-agent-token, key: token}\n`;

function parse(files: Record<string, string>, tpl: ReadonlyMap<string, string> = templates, d: SpecDefaults = defaults) {
  return parseAgentSpecs(Object.entries(files).map(([path, content]) => ({ path, content })), tpl, d);
}

test('a valid v1alpha1 spec parses with its fields, defaults and a 10-char revision', () => {
  const { specs, errors } = parse({ 'agentspecs/linux.yaml': specYaml('linux', GOOD) });
  assert.deepEqual(errors, []);
  assert.equal(specs.length, 1);
  const s = specs[0]!;
  assert.equal(s.name, 'linux');
  assert.equal(s.file, 'agentspecs/linux.yaml');
  assert.equal(s.format, 'v1alpha1');
  assert.equal(s.pool, 'k8s-agents');
  assert.equal(s.prefix, 'linux');
  assert.deepEqual(s.capabilities, [{ name: 'docker', value: undefined }, { name: 'java', value: '17' }]);
  assert.equal(s.standby, 1);
  assert.equal(s.maxAgents, 5);
  assert.equal(s.namespace, 'agents-ns');
  assert.deepEqual(s.tokenSecretRef, { name: 'azdo-agent-token', key: 'token' });
  assert.deepEqual(s.deadlines, DEFAULT_SPEC_DEFAULTS.deadlines);
  assert.match(s.revision, /^[0-9a-f]{10}$/);
  assert.equal(s.template.spec.containers[0]!['image'], 'example.com/agent:1');
});

test('standby defaults to 0 and capabilities to none', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', `  pool: p\n  maxAgents: 2\n  templateFile: templates/agent.yaml\n  tokenSecretRef: {name: s, key: k}\n`) });
  assert.deepEqual(errors, []);
  assert.equal(specs[0]!.standby, 0);
  assert.deepEqual(specs[0]!.capabilities, []);
});

test('maxAgents "ten" is reported with file, field, what is wrong and a fix', () => {
  const { specs, errors } = parse({ 'agentspecs/linux.yaml': specYaml('linux', GOOD.replace('maxAgents: 5', 'maxAgents: ten')) });
  assert.equal(specs.length, 0);
  assert.equal(errors.length, 1);
  assert.equal(formatSpecError(errors[0]!), 'agentspecs/linux.yaml: spec.maxAgents: must be an integer ≥ 1, got "ten" (set spec.maxAgents: 10)');
});

test('a missing maxAgents is an error', () => {
  const { errors } = parse({ 'a.yaml': specYaml('linux', GOOD.replace('  maxAgents: 5\n', '')) });
  assert.deepEqual(errors.map((e) => e.field), ['spec.maxAgents']);
});

test('maxAgents given as a numeric string suggests that number', () => {
  const { errors } = parse({ 'a.yaml': specYaml('linux', GOOD.replace('maxAgents: 5', 'maxAgents: "7"')) });
  assert.equal(errors[0]!.hint, 'set spec.maxAgents: 7');
});

test('a negative standby and a standby above maxAgents are errors', () => {
  assert.equal(parse({ 'a.yaml': specYaml('linux', GOOD.replace('standby: 1', 'standby: -1')) }).errors[0]!.field, 'spec.standby');
  const e = parse({ 'a.yaml': specYaml('linux', GOOD.replace('standby: 1', 'standby: 6')) }).errors;
  assert.equal(e[0]!.field, 'spec.standby');
  assert.match(e[0]!.message, /must not exceed spec.maxAgents/);
});

test('one bad spec never stops the others', () => {
  const { specs, errors } = parse({
    'agentspecs/a.yaml': specYaml('a', GOOD.replace('pool: k8s-agents', 'pool: ""')),
    'agentspecs/b.yaml': specYaml('b', GOOD),
  });
  assert.deepEqual(specs.map((s) => s.name), ['b']);
  assert.deepEqual(errors.map((e) => `${e.file} ${e.field}`), ['agentspecs/a.yaml spec.pool']);
});

test('a multi-document file yields every spec, errors name the document', () => {
  const { specs, errors } = parse({
    'agentspecs/all.yaml': `${specYaml('a', GOOD)}---\n${specYaml('b', GOOD.replace('maxAgents: 5', 'maxAgents: 0'))}---\n${specYaml('c', GOOD.replace('capabilities: ["docker", "java=17"]', 'prefix: cc'))}`,
  });
  assert.deepEqual(specs.map((s) => s.name), ['a', 'c']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.file, 'agentspecs/all.yaml (document 2)');
  assert.equal(errors[0]!.field, 'spec.maxAgents');
});

test('duplicate names are an error for the later file in path order', () => {
  const { specs, errors } = parse({
    'agentspecs/b.yaml': specYaml('linux', GOOD.replace('capabilities', 'prefix: other\n  capabilities')),
    'agentspecs/a.yaml': specYaml('linux', GOOD),
  });
  assert.deepEqual(specs.map((s) => s.file), ['agentspecs/a.yaml']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.file, 'agentspecs/b.yaml');
  assert.equal(errors[0]!.field, 'metadata.name');
  assert.match(errors[0]!.message, /already defined in agentspecs\/a.yaml/);
});

test('duplicate prefixes are an error for the later file', () => {
  const { specs, errors } = parse({
    'agentspecs/a.yaml': specYaml('one', GOOD.replace('capabilities', 'prefix: shared\n  capabilities')),
    'agentspecs/b.yaml': specYaml('two', GOOD.replace('capabilities', 'prefix: shared\n  capabilities')),
  });
  assert.deepEqual(specs.map((s) => s.name), ['one']);
  assert.deepEqual(errors.map((e) => `${e.file} ${e.field}`), ['agentspecs/b.yaml spec.prefix']);
});

test('template and templateFile together, or neither, are errors', () => {
  const both = parse({ 'a.yaml': specYaml('x', GOOD + `  template:\n    spec:\n      containers: [{name: agent, image: i}]\n`) });
  assert.equal(both.specs.length, 0);
  assert.match(both.errors[0]!.message, /both set/);
  const neither = parse({ 'a.yaml': specYaml('x', GOOD.replace('  templateFile: templates/agent.yaml\n', '')) });
  assert.equal(neither.specs.length, 0);
  assert.match(neither.errors[0]!.message, /neither/);
});

test('a missing templateFile is an error naming the templates that exist', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('templates/agent.yaml', 'templates/nope.yaml')) });
  assert.equal(specs.length, 0);
  assert.equal(errors[0]!.field, 'spec.templateFile');
  assert.match(errors[0]!.message, /templates\/nope.yaml does not exist/);
  assert.match(errors[0]!.hint, /templates\/agent.yaml/);
});

test('an inline template whose container list is empty is an error', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('  templateFile: templates/agent.yaml\n', '  template:\n    spec:\n      containers: []\n')) });
  assert.equal(specs.length, 0);
  assert.equal(errors[0]!.field, 'spec.template.spec.containers');
});

test('a template file without containers is an error in the template file and the spec', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', 'spec:\n  nodeSelector: {a: b}\n']]));
  assert.equal(specs.length, 0);
  assert.ok(errors.some((e) => e.file === 'templates/agent.yaml' && e.field === 'spec.containers'));
  assert.ok(errors.some((e) => e.file === 'a.yaml' && e.field === 'spec.templateFile'));
});

test('a container without an image is an error', () => {
  const { errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('  templateFile: templates/agent.yaml\n', '  template:\n    spec:\n      containers: [{name: agent}]\n')) });
  assert.equal(errors[0]!.field, 'spec.template.spec.containers[0].image');
});

test('a literal AZP_TOKEN in the template is an error that never echoes the value', () => {
  const tpl = '  template:\n    spec:\n      containers:\n        - name: agent\n          image: i\n          env:\n            - name: AZP_TOKEN\n              value: supersecretpat\n';
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('  templateFile: templates/agent.yaml\n', tpl)) });
  assert.equal(specs.length, 0);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.field, 'spec.template.spec.containers[0].env[0]');
  assert.ok(!JSON.stringify(errors).includes('supersecretpat'));
});

test('a literal AZP_TOKEN in a template file is an error too', () => {
  const tpl = 'spec:\n  containers:\n    - name: agent\n      image: i\n      env: [{name: azp_token, value: xyz}]\n';
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', tpl]]));
  assert.equal(specs.length, 0);
  assert.ok(errors.some((e) => e.file === 'templates/agent.yaml' && /AZP_TOKEN/i.test(e.message)));
  assert.ok(!errors.some((e) => /xyz/.test(JSON.stringify(e))), 'the value is never echoed');
});

test('an AZP_TOKEN from a secretKeyRef in the template is accepted', () => {
  const tpl = 'spec:\n  containers:\n    - name: agent\n      image: i\n      env: [{name: AZP_TOKEN, valueFrom: {secretKeyRef: {name: a, key: b}}}]\n';
  assert.deepEqual(parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', tpl]])).errors, []);
});

test('VSO_AGENT_IGNORE in a template must be literal (azdo-gitops merges the token vars into it)', () => {
  const ref = 'spec:\n  containers:\n    - name: agent\n      image: i\n      env: [{name: VSO_AGENT_IGNORE, valueFrom: {configMapKeyRef: {name: a, key: b}}}]\n';
  const bad = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', ref]]));
  assert.ok(bad.errors.some((e) => e.file === 'templates/agent.yaml' && /VSO_AGENT_IGNORE must have a literal value/.test(e.message)));
  const literal = 'spec:\n  containers:\n    - name: agent\n      image: i\n      env: [{name: VSO_AGENT_IGNORE, value: MY_SECRET}]\n';
  assert.deepEqual(parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', literal]])).errors, []);
});

test('a capability may not be named like the ownership marker or VSO_AGENT_IGNORE', () => {
  for (const name of ['AZDO_GITOPS_SPEC=linux', 'azdo_gitops_spec', 'VSO_AGENT_IGNORE=x']) {
    const r = parse({ 'a.yaml': specYaml('x', GOOD.replace('["docker", "java=17"]', `["${name}"]`)) });
    assert.equal(r.errors[0]?.field, 'spec.capabilities[0]', name);
    assert.match(r.errors[0]!.message, /reserved/);
  }
});

test('template files may be a kind PodTemplate or a kind Pod', () => {
  const podTemplate = 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  metadata: {labels: {team: ci}}\n  spec:\n    containers: [{name: agent, image: i}]\n';
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: t, annotations: {a: b}}\nspec:\n  containers: [{name: agent, image: i}]\n';
  const r1 = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', podTemplate]]));
  assert.deepEqual(r1.errors, []);
  assert.deepEqual(r1.specs[0]!.template.metadata, { labels: { team: 'ci' } });
  const r2 = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', pod]]));
  assert.deepEqual(r2.errors, []);
  assert.deepEqual(r2.specs[0]!.template.metadata, { annotations: { a: 'b' } });
});

test('an invalid v1alpha1 prefix is an error with the normalized prefix as the fix', () => {
  const { errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('capabilities', 'prefix: Linux_Agents\n  capabilities')) });
  assert.equal(errors[0]!.field, 'spec.prefix');
  assert.equal(errors[0]!.hint, 'set spec.prefix: linux-agents');
});

test('a prefix longer than 40 characters is an error', () => {
  const { errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('capabilities', `prefix: ${'a'.repeat(41)}\n  capabilities`)) });
  assert.equal(errors[0]!.field, 'spec.prefix');
});

test('a long metadata.name without a prefix asks for a prefix', () => {
  const { errors } = parse({ 'a.yaml': specYaml('a'.repeat(50), GOOD) });
  assert.deepEqual(errors.map((e) => e.field), ['spec.prefix']);
});

test('an invalid metadata.name is an error', () => {
  const { errors } = parse({ 'a.yaml': specYaml('Linux', GOOD) });
  assert.equal(errors[0]!.field, 'metadata.name');
  assert.equal(errors[0]!.hint, 'set metadata.name: linux');
});

test('an unknown spec field suggests the right spelling', () => {
  const { errors } = parse({ 'a.yaml': specYaml('x', GOOD + '  maxagents: 3\n') });
  assert.equal(errors[0]!.field, 'spec.maxagents');
  assert.equal(errors[0]!.hint, 'did you mean spec.maxAgents?');
});

test('invalid and duplicate capabilities are errors', () => {
  const bad = parse({ 'a.yaml': specYaml('x', GOOD.replace('["docker", "java=17"]', '["docker", "bad name"]')) });
  assert.equal(bad.errors[0]!.field, 'spec.capabilities[1]');
  const dup = parse({ 'a.yaml': specYaml('x', GOOD.replace('["docker", "java=17"]', '["docker", "Docker=1"]')) });
  assert.equal(dup.errors[0]!.field, 'spec.capabilities[1]');
  assert.match(dup.errors[0]!.message, /duplicate/);
  const notList = parse({ 'a.yaml': specYaml('x', GOOD.replace('["docker", "java=17"]', 'docker')) });
  assert.equal(notList.errors[0]!.field, 'spec.capabilities');
  const reserved = parse({ 'a.yaml': specYaml('x', GOOD.replace('["docker", "java=17"]', '["AZP_TOKEN=x"]')) });
  assert.equal(reserved.errors[0]!.field, 'spec.capabilities[0]');
});

test('deadlines accept 90s / 10m / 1h and reject other text', () => {
  const ok = parse({ 'a.yaml': specYaml('x', GOOD + '  deadlines: {imagePull: 90s, unschedulable: 10m, registration: 1h, sync: 1h30m}\n') });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.specs[0]!.deadlines, { imagePullSeconds: 90, unschedulableSeconds: 600, registrationSeconds: 3600, syncSeconds: 5400 });
  const partial = parse({ 'a.yaml': specYaml('x', GOOD + '  deadlines: {imagePull: 5m}\n') });
  assert.equal(partial.specs[0]!.deadlines.imagePullSeconds, 300);
  assert.equal(partial.specs[0]!.deadlines.syncSeconds, DEFAULT_SPEC_DEFAULTS.deadlines.syncSeconds);
  const bad = parse({ 'a.yaml': specYaml('x', GOOD + '  deadlines: {imagePull: soon, later: 1m}\n') });
  assert.deepEqual(bad.errors.map((e) => e.field), ['spec.deadlines.imagePull', 'spec.deadlines.later']);
  assert.equal(bad.errors[0]!.hint, 'set spec.deadlines.imagePull: 10m');
});

test('tokenSecretRef is required with a name and a key', () => {
  const missing = parse({ 'a.yaml': specYaml('x', GOOD.replace('  tokenSecretRef: {name: azdo-agent-token, key: token}\n', '')) });
  assert.equal(missing.errors[0]!.field, 'spec.tokenSecretRef');
  const noKey = parse({ 'a.yaml': specYaml('x', GOOD.replace('{name: azdo-agent-token, key: token}', '{name: azdo-agent-token}')) });
  assert.equal(noKey.errors[0]!.field, 'spec.tokenSecretRef.key');
});

test('an invalid namespace is an error; the watched namespace is accepted', () => {
  assert.equal(parse({ 'a.yaml': specYaml('x', GOOD + '  namespace: Bad_NS\n') }).errors[0]!.field, 'spec.namespace');
  assert.equal(parse({ 'a.yaml': specYaml('x', GOOD + '  namespace: agents-ns\n') }).specs[0]!.namespace, 'agents-ns');
});

test('a namespace other than TARGET_NAMESPACE is an error naming the watched one', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD + '  namespace: ci\n') });
  assert.equal(specs.length, 0);
  assert.deepEqual(errors.map((e) => e.field), ['spec.namespace']);
  assert.match(errors[0]!.message, /"ci".*watches only TARGET_NAMESPACE "agents-ns"/);
});

test('invalid YAML, non-mappings and other kinds are errors; kustomizations are skipped', () => {
  const { specs, errors } = parse({
    'agentspecs/bad.yaml': 'spec: [unclosed\n',
    'agentspecs/list.yaml': '- a\n- b\n',
    'agentspecs/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    'agentspecs/kustomization.yaml': 'resources: [a.yaml]\n',
    'agentspecs/empty.yaml': '',
    'agentspecs/ok.yaml': specYaml('ok', GOOD),
  });
  assert.deepEqual(specs.map((s) => s.name), ['ok']);
  assert.deepEqual(errors.map((e) => e.file), ['agentspecs/bad.yaml', 'agentspecs/cm.yaml', 'agentspecs/list.yaml']);
  assert.match(errors[0]!.message, /not valid YAML/);
  assert.equal(errors[1]!.field, 'kind');
});

test('a missing spec section is an error', () => {
  const { errors } = parse({ 'a.yaml': 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata: {name: x}\n' });
  assert.equal(errors[0]!.field, 'spec');
});

test('the revision is stable, ignores key order and capability order, and follows what shapes a pod', () => {
  const a = parse({ 'a.yaml': specYaml('x', GOOD) }).specs[0]!;
  const reordered = parse({ 'a.yaml': specYaml('x', `  maxAgents: 5\n  tokenSecretRef: {key: token, name: azdo-agent-token}\n  standby: 1\n  capabilities: ["java=17", "docker"]\n  templateFile: templates/agent.yaml\n  pool: k8s-agents\n`) }).specs[0]!;
  assert.equal(reordered.revision, a.revision);
  const moreStandby = parse({ 'a.yaml': specYaml('x', GOOD.replace('maxAgents: 5', 'maxAgents: 9')) }).specs[0]!;
  assert.equal(moreStandby.revision, a.revision, 'maxAgents does not shape a pod');
  const otherCaps = parse({ 'a.yaml': specYaml('x', GOOD.replace('java=17', 'java=21')) }).specs[0]!;
  assert.notEqual(otherCaps.revision, a.revision);
  const otherImage = parse({ 'a.yaml': specYaml('x', GOOD) }, new Map([['templates/agent.yaml', TEMPLATE.replace(':1', ':2')]])).specs[0]!;
  assert.notEqual(otherImage.revision, a.revision);
  const otherNs = parse({ 'a.yaml': specYaml('x', GOOD) }, templates, { ...defaults, namespace: 'other' }).specs[0]!;
  assert.notEqual(otherNs.revision, a.revision);
});

test('an inline template is used as the pod template', () => {
  const { specs, errors } = parse({ 'a.yaml': specYaml('x', GOOD.replace('  templateFile: templates/agent.yaml\n', '  template:\n    metadata: {labels: {team: ci}}\n    spec:\n      nodeSelector: {pool: ci}\n      containers: [{name: agent, image: i}]\n')) });
  assert.deepEqual(errors, []);
  assert.deepEqual(specs[0]!.template, { metadata: { labels: { team: 'ci' } }, spec: { nodeSelector: { pool: 'ci' }, containers: [{ name: 'agent', image: 'i' }] } });
});
