// readGitSnapshot checks a spec or manifest file once while its file object stays the same (as
// GitRepo.readFiles returns it for an unchanged blob), and again when it, a template or the
// defaults change: the result is always what a fresh read of the same files gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readGitSnapshot, type ReadDir } from '../../reconciler/observe/gitSnapshot.ts';
import type { RepoFile } from '../../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';

const paths = { agents: 'agents', specs: 'agentspecs', templates: 'templates' };
const example = (p: string): RepoFile => ({ path: p, content: readFileSync(new URL(`../../cluster-repo-example/${p}`, import.meta.url), 'utf8') });
const withTemplate = (image: string): RepoFile => ({
  path: 'agentspecs/from-template.yaml',
  content: `apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata:\n  name: from-template\nspec:\n  pool: p\n  prefix: tpl\n  capabilities: [x]\n  maxAgents: 3\n  templateFile: templates/agent.yaml\n  tokenSecretRef: {name: t, key: token}\n  # ${image}\n`,
});
const template = (image: string): RepoFile => ({ path: 'templates/agent.yaml', content: `spec:\n  containers:\n    - name: agent\n      image: ${image}\n` });

const agentPod = example('templates/agent-pod.yaml');

/** The files at one commit; linux.yaml's template always there. */
function repo(files: RepoFile[]): ReadDir {
  return async (dir) => [...files, agentPod].filter((f) => f.path.startsWith(`${dir}/`));
}

test('unchanged file objects give the same specs without checking them again', async () => {
  const files = [example('agentspecs/linux.yaml'), example('agentspecs/docker.yaml'), withTemplate('a'), template('img:1')];
  const a = await readGitSnapshot(repo(files), paths, DEFAULT_SPEC_DEFAULTS);
  const b = await readGitSnapshot(repo(files), paths, DEFAULT_SPEC_DEFAULTS);
  assert.deepEqual(a.specs.map((s) => s.name), ['docker', 'from-template', 'linux']);
  assert.equal(b.specs[0], a.specs[0], 'the very same spec object: checked once');
  // New file objects with the same content: checked again, to the same result.
  const c = await readGitSnapshot(repo(files.map((f) => ({ ...f }))), paths, DEFAULT_SPEC_DEFAULTS);
  assert.notEqual(c.specs[0], a.specs[0]);
  assert.deepEqual(c.specs, a.specs);
  assert.deepEqual(c.specErrors, a.specErrors);
});

test('a changed spec, template or defaults is checked again', async () => {
  const linux = example('agentspecs/linux.yaml');
  const first = await readGitSnapshot(repo([linux, withTemplate('a'), template('img:1')]), paths, DEFAULT_SPEC_DEFAULTS);
  const image = (s: typeof first) => s.specs.find((x) => x.name === 'from-template')!.template.spec.containers[0]!.image;
  assert.equal(image(first), 'img:1');
  const tplChanged = await readGitSnapshot(repo([linux, withTemplate('a'), template('img:2')]), paths, DEFAULT_SPEC_DEFAULTS);
  assert.equal(image(tplChanged), 'img:2', 'the same spec file object, another template');
  const standby = (n: number): RepoFile => ({ ...linux, content: linux.content.replace(/standby: \d+/, `standby: ${n}`) });
  const specChanged = await readGitSnapshot(repo([standby(7), withTemplate('a'), template('img:2')]), paths, DEFAULT_SPEC_DEFAULTS);
  assert.equal(specChanged.specs.find((s) => s.name === 'linux')!.standby, 7);
  const other = { ...DEFAULT_SPEC_DEFAULTS, namespace: 'elsewhere' };
  const defaultsChanged = await readGitSnapshot(repo([linux, withTemplate('a'), template('img:2')]), paths, other);
  assert.equal(defaultsChanged.specs.find((s) => s.name === 'from-template')!.namespace, 'elsewhere');
});

test('a spec file that became broken reports its error, and its fix clears it', async () => {
  const linux = example('agentspecs/linux.yaml');
  const broken: RepoFile = { path: linux.path, content: `${linux.content}\n  : [\n` };
  const bad = await readGitSnapshot(repo([broken]), paths, DEFAULT_SPEC_DEFAULTS);
  assert.equal(bad.specs.length, 0);
  assert.ok(bad.specErrors.length > 0);
  const fixed = await readGitSnapshot(repo([linux]), paths, DEFAULT_SPEC_DEFAULTS);
  assert.deepEqual(fixed.specs.map((s) => s.name), ['linux']);
  assert.deepEqual(fixed.specErrors, []);
});
