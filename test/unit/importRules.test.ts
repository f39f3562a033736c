import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importEdges, importSpecifiers, type ImportEdge } from '../helpers/importGraph.ts';

// The dependency rules of docs/DESIGN.md ("Import rules"): arrows point inward, from the
// orchestration through the adapters to the domain and the leaves. A module may import itself
// and the modules listed for it, nothing else.
const ROOT = join(import.meta.dirname, '../..');

const LEAVES = ['support', 'errors'];
const DOMAIN = ['agentspec', 'plan'];
const ADAPTERS = ['azdo', 'gitops', 'cluster'];
const SANDBOX = ['sandbox', 'sandbox/azdo', 'sandbox/git', 'sandbox/cluster', 'sandbox/demo'];

const RULES: Readonly<Record<string, readonly string[]>> = {
  support: [],
  errors: ['support'],
  agentspec: LEAVES,
  plan: ['support', 'agentspec'],
  config: [...LEAVES, ...DOMAIN],
  manifests: [...LEAVES, ...DOMAIN],
  azdo: [...LEAVES, 'config', ...DOMAIN, 'manifests'],
  gitops: [...LEAVES, 'config', ...DOMAIN, 'manifests'],
  cluster: [...LEAVES, 'config', ...DOMAIN, 'manifests'],
  observe: [...LEAVES, 'config', ...DOMAIN, 'manifests', ...ADAPTERS],
  apply: [...LEAVES, 'config', ...DOMAIN, 'manifests', ...ADAPTERS],
  observability: [...LEAVES, 'config', ...DOMAIN],
  // The scaling history read back: the trailer format of gitops/commitMessage.ts, pure otherwise.
  history: [...LEAVES, ...DOMAIN, 'gitops'],
  // What a cluster-repo PR will do: validateRepo's checks and the domain, pure.
  preview: [...LEAVES, ...DOMAIN, 'manifests'],
  loop: [...LEAVES, 'config', ...DOMAIN, 'manifests', ...ADAPTERS, 'observe', 'apply', 'observability'],
  cli: [...LEAVES, 'config', ...DOMAIN, 'manifests', ...ADAPTERS, 'observe', 'apply', 'observability', 'history', 'preview', 'loop'],
  main: [...LEAVES, 'config', ...DOMAIN, 'manifests', ...ADAPTERS, 'observe', 'apply', 'observability', 'history', 'preview', 'loop', 'cli'],
  // The emulators stand for the outside world: they share no code with the product they test.
  sandbox: SANDBOX,
  'sandbox/azdo': SANDBOX,
  'sandbox/git': SANDBOX,
  'sandbox/cluster': SANDBOX,
  // The demo is no emulator: it runs the product's controller against them.
  'sandbox/demo': [...SANDBOX, 'support', 'config', 'agentspec', 'manifests', 'loop'],
  // The sandbox's command line (npm start): it runs the product's CLI against the emulators.
  'sandbox/cli': [...SANDBOX, 'cli'],
  // The simulator drives the product in virtual time against the emulators' models: it may
  // import both; nothing imports it back.
  sim: [...LEAVES, ...DOMAIN, 'config', 'manifests', ...ADAPTERS, 'observe', 'apply', 'observability', 'loop', ...SANDBOX],
};

/** Single files allowed past their module's rule, with the reason (none today). */
const FILE_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {};

/** `reconciler/plan/plan.ts` → `plan`; `reconciler/main.ts` → `main`; `sandbox/azdo/x.ts` → `sandbox/azdo`. */
function moduleOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'reconciler') return parts.length === 2 ? parts[1]!.replace(/\.ts$/, '') : parts[1]!;
  if (parts[0] === 'sandbox') return parts.length === 2 ? 'sandbox' : `sandbox/${parts[1]}`;
  if (parts[0] === 'sim') return 'sim';
  return parts[0]!;
}

function violations(edges: readonly ImportEdge[]): string[] {
  return edges.flatMap((e) => {
    const from = moduleOf(e.from);
    const to = moduleOf(e.to);
    if (from === to) return [];
    const allowed = RULES[from];
    if (allowed === undefined) return [`${e.from}: module "${from}" has no import rule (add it to RULES and docs/DESIGN.md)`];
    if (allowed.includes(to) || FILE_EXCEPTIONS[e.from]?.includes(to)) return [];
    return [`${e.from} imports '${e.specifier}' (${to}/): ${from}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of the project'}`];
  });
}

test('every import of reconciler/, sandbox/ and sim/ follows the import rules of docs/DESIGN.md', () => {
  const found = violations(importEdges(ROOT, ['reconciler', 'sandbox', 'sim']));
  assert.deepEqual(found, [], `imports against the rules:\n  ${found.join('\n  ')}`);
});

test('every module under reconciler/ and sandbox/ has a rule', () => {
  const modules = [
    ...readdirSync(join(ROOT, 'reconciler'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name),
    ...readdirSync(join(ROOT, 'sandbox'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `sandbox/${e.name}`),
  ];
  assert.deepEqual(modules.filter((m) => RULES[m] === undefined), []);
});

test('a rule broken is reported with the file, the import as written and what the module may import', () => {
  const found = violations([
    { from: 'reconciler/apply/drainIdleAgents.ts', to: 'reconciler/loop/logger.ts', specifier: '../loop/logger.ts' },
    { from: 'sandbox/azdo/server.ts', to: 'reconciler/support/logger.ts', specifier: '../../reconciler/support/logger.ts' },
    { from: 'reconciler/plan/plan.ts', to: 'reconciler/plan/changes.ts', specifier: './changes.ts' },
    { from: 'sandbox/cli/commands.ts', to: 'reconciler/cli/commands.ts', specifier: '../../reconciler/cli/commands.ts' },
    { from: 'reconciler/cli/commands.ts', to: 'sandbox/index.ts', specifier: '../../sandbox/index.ts' },
  ]);
  assert.deepEqual(found, [
    `reconciler/apply/drainIdleAgents.ts imports '../loop/logger.ts' (loop/): apply/ may import only ${RULES.apply!.join(', ')}`,
    `sandbox/azdo/server.ts imports '../../reconciler/support/logger.ts' (support/): sandbox/azdo/ may import only ${SANDBOX.join(', ')}`,
    `reconciler/cli/commands.ts imports '../../sandbox/index.ts' (sandbox/): cli/ may import only ${RULES.cli!.join(', ')}`,
  ]);
});

test('the import reader sees static, re-exported, type-only, multi-line, bare and dynamic imports', () => {
  const source = [
    "import { a } from './a.ts';",
    "import type { B } from '../b.ts';",
    'import {',
    '  c,',
    "} from './c.ts';",
    "export { d } from './d.ts';",
    "import './e.ts';",
    "const f = await import('./f.ts');",
    "const url = 'http://x/from/y'; // not an import",
  ].join('\n');
  assert.deepEqual(importSpecifiers(source).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
});

/** Files under reconciler/ allowed to load @kubernetes/client-node at run time, and how. */
const CLIENT_NODE_LOADERS: Readonly<Record<string, string>> = {
  // Only for kubeconfig users with a credential plugin (exec, auth-provider), by a dynamic import.
  'reconciler/cluster/pluginConnect.ts': 'dynamic',
};

test('the reconciler loads @kubernetes/client-node (~80 MiB) only for credential plugins: elsewhere its types alone', () => {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
  const found: string[] = [];
  for (const file of walk('reconciler')) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const valueImports = [...source.matchAll(/^[ \t]*(?:import|export)(\s+type)?\b[^'"`;]*?\bfrom\s*['"]@kubernetes\/client-node['"]/gm)].filter((m) => !m[1]);
    const dynamic = /\bimport\s*\(\s*['"]@kubernetes\/client-node['"]\s*\)/.test(source);
    if (valueImports.length > 0) found.push(`${file}: a static import of @kubernetes/client-node (write import type, or add a thin call to cluster/kubeHttp.ts)`);
    if (dynamic && CLIENT_NODE_LOADERS[file] !== 'dynamic') found.push(`${file}: a dynamic import of @kubernetes/client-node outside cluster/pluginConnect.ts`);
  }
  assert.deepEqual(found, []);
});
