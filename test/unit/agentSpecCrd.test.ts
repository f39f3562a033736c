import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CRD_PATH, agentSpecCrd, agentSpecCrdYaml } from '../../reconciler/agentspec/agentSpecCrd.ts';
import { QUALIFIED_NAME_PATTERN, qualifiedNameProblem } from '../../reconciler/agentspec/objectMeta.ts';

const ROOT = join(import.meta.dirname, '../..');

test('the committed CRD is exactly the one generated from agentSpecSchema.ts (npm run crd writes it)', () => {
  assert.equal(readFileSync(join(ROOT, CRD_PATH), 'utf8'), agentSpecCrdYaml());
});

test('the generated CRD file reads back as the generated object (no YAML anchors, nothing lost)', () => {
  assert.deepEqual(parse(agentSpecCrdYaml()), agentSpecCrd());
  assert.doesNotMatch(agentSpecCrdYaml(), /[&*][a-z]\w* *$/m);
});

test('the CRD no longer pins template files to templates/ (TEMPLATES_PATH moves them)', () => {
  assert.doesNotMatch(agentSpecCrdYaml(), /\^templates\//);
});

test('the qualified-name pattern of the CRD rules agrees with the parser on label and annotation keys', () => {
  const samples = ['team', 'example.com/team', 'a', 'A-b_c.d', 'Example.COM/owner', 'team name!', '-team', 'team-', '/team', 'example.com/', `${'a'.repeat(63)}`, `${'a'.repeat(64)}`, 'a/b/c', 'kubernetes.io/os', 'x.y/Z9'];
  const re = new RegExp(QUALIFIED_NAME_PATTERN);
  for (const k of samples) assert.equal(re.test(k), qualifiedNameProblem(k) === undefined, k);
});
