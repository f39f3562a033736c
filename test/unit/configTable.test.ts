import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SETTINGS, type Setting } from '../../reconciler/config/config.ts';
import { configTableMarkdown } from '../../reconciler/config/configTable.ts';

const ROOT = join(import.meta.dirname, '../..');

/** The table under "## Configuration (environment)" in README.md, up to the blank line after it. */
function readmeTable(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration (environment)'));
  const start = section.indexOf('| variable |');
  assert.ok(start >= 0, 'README.md has a configuration table');
  return section.slice(start, section.indexOf('\n\n', start) + 1);
}

test('README.md lists exactly the settings of config.ts, with their defaults and examples (npm run config-table prints it)', () => {
  assert.equal(readmeTable(), configTableMarkdown());
});

test('every variable the README table names is a setting, its alias, or its _FILE', () => {
  const known = new Set(Object.entries(SETTINGS).flatMap(([n, s]: [string, Setting<unknown>]) => [n, ...(s.aliases ?? []), ...(s.fromFile ? [`${n}_FILE`] : [])]));
  const named = [...readmeTable().matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((x) => x[1]!));
  assert.deepEqual(new Set(named), known);
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('every environment variable the reconciler reads is in the settings table', () => {
  const reads: string[] = [];
  for (const file of sources(join(ROOT, 'reconciler'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])|process\.env\.([A-Z][A-Z0-9_]+)/g)) {
      reads.push(`${m[1] ?? m[2] ?? m[3]} (${relative(ROOT, file)})`);
    }
  }
  // Set by the kubelet in every pod (the in-cluster API server's address), not by an operator.
  const platform = new Set(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);
  const unknown = reads.filter((r) => !(r.split(' ')[0]! in SETTINGS) && !platform.has(r.split(' ')[0]!));
  assert.deepEqual(unknown, [], 'read but not in SETTINGS (reconciler/config/config.ts)');
});

test('every setting has an example its own parser accepts, and a default it accepts too', () => {
  for (const [name, s] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    if (name === 'KUBECONFIG') continue; // the example names a file that exists only in a pod
    const example = s.example.replace(/^"(.*)"$/, '$1');
    if (!example.startsWith('<')) assert.doesNotThrow(() => s.parse(example), `${name}=${example}`);
    const d = s.default;
    if (d !== undefined) assert.doesNotThrow(() => s.parse(d), `${name} default`);
  }
});
