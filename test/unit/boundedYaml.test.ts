import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_YAML_NESTING, MAX_YAML_TOKENS, readYaml } from '../../reconciler/support/boundedYaml.ts';
import { MAX_ERRORS_PER_DOCUMENT, parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import { aliasBomb, manyKeys } from '../fixtures/badSpecs.ts';

const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
};

test('an alias bomb is one precise problem, not an exception', (t) => {
  const [r, ms] = timed(() => readYaml(aliasBomb()));
  t.diagnostic(`alias bomb: ${ms.toFixed(1)} ms`);
  assert.equal(r.problem, undefined);
  assert.match(r.docs![0]!.problem!.message, /YAML aliases .* expand too far/);
});

test('a 16k-key mapping is refused by the token bound before it is composed', (t) => {
  const content = manyKeys('many', 16_000);
  const [r, ms] = timed(() => readYaml(content));
  t.diagnostic(`16k keys, ${content.length} bytes: ${ms.toFixed(1)} ms (the library's duplicate-key check alone took seconds)`);
  assert.match(r.problem!.message, new RegExp(`more than ${MAX_YAML_TOKENS} YAML tokens`));
});

test('a file over 256 KiB is refused before it is lexed', (t) => {
  const [r, ms] = timed(() => readYaml(`a: "${'x'.repeat(1_200_000)}"\n`));
  t.diagnostic(`1.2 MB: ${ms.toFixed(1)} ms`);
  assert.match(r.problem!.message, /^is 1171\.9 KiB, over the 256 KiB limit/);
});

test('duplicate keys are found in linear time and named with their line', (t) => {
  let s = '';
  for (let i = 0; i < 2000; i++) s += `k${i}: ${i}\n`;
  const [r, ms] = timed(() => readYaml(`${s}k7: again\n`));
  t.diagnostic(`2000 keys with a duplicate: ${ms.toFixed(1)} ms`);
  assert.match(r.docs![0]!.problem!.message, /the key "k7" appears twice in one mapping \(line 2001\)/);
  assert.deepEqual(readYaml('a: {x: 1}\nb: {x: 2}\n').docs![0]!.value, { a: { x: 1 }, b: { x: 2 } }, 'the same key in different mappings is fine');
});

test('plain anchors and aliases still work', () => {
  const r = readYaml('env: &e [{name: A, value: "1"}]\nmore: *e\n');
  assert.deepEqual(r.docs![0]!.value, { env: [{ name: 'A', value: '1' }], more: [{ name: 'A', value: '1' }] });
});

test('deep nesting is refused by the lexer pass, in brackets or in block indicators', (t) => {
  for (const [name, content] of [['brackets', `${'['.repeat(15_000)}${']'.repeat(15_000)}`], ['dashes', `${'- '.repeat(10_000)}x\n`], ['indentation', `${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`]] as const) {
    const [r, ms] = timed(() => readYaml(content));
    t.diagnostic(`deep ${name}: ${ms.toFixed(1)} ms`);
    assert.match(r.problem?.message ?? '', new RegExp(`nested deeper than ${MAX_YAML_NESTING} levels`), name);
  }
  assert.deepEqual(readYaml('a: [[1, "[[[[["], {b: [2]}]\n').docs![0]!.value, { a: [[1, '[[[[['], { b: [2] }] }, 'brackets inside scalars do not count');
});

test('empty files and comment-only documents have no documents', () => {
  assert.deepEqual(readYaml('').docs, []);
  assert.deepEqual(readYaml('# nothing\n').docs, []);
});

test('thousands of unknown fields below the bound cost one capped list of errors, quickly', (t) => {
  const content = manyKeys('many', 2_000);
  const [r, ms] = timed(() => parseAgentSpecs([{ path: 'agentspecs/many.yaml', content }], new Map([['templates/agent-pod.yaml', 'spec: {containers: [{name: agent, image: i}]}\n']]), DEFAULT_SPEC_DEFAULTS));
  t.diagnostic(`2000 unknown fields: ${ms.toFixed(1)} ms`);
  assert.equal(r.specs.length, 0);
  assert.equal(r.errors.length, MAX_ERRORS_PER_DOCUMENT + 1);
  assert.match(r.errors.at(-1)!.message, /has 1980 more problem\(s\) not listed/);
});

test('a spec file the checks cannot handle becomes an error naming it; the next file still parses', () => {
  const good = 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata: {name: ok}\nspec: {pool: p, maxAgents: 1, template: {spec: {securityContext: {}, containers: [{name: agent, image: i}]}}, tokenSecretRef: {name: s, key: k}}\n';
  const r = parseAgentSpecs(
    [{ path: 'agentspecs/a-bomb.yaml', content: aliasBomb() }, { path: 'agentspecs/b-ok.yaml', content: good }],
    new Map(),
    DEFAULT_SPEC_DEFAULTS,
  );
  assert.deepEqual(r.specs.map((s) => s.name), ['ok']);
  assert.deepEqual(r.errors.map((e) => e.file), ['agentspecs/a-bomb.yaml']);
});
