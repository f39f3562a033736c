// parseAgentSpecs: every AgentSpec file of the repo → valid specs + precise errors.
// One bad spec never stops the others; duplicates are errors for the later file (path order).
import { parseAllDocuments } from 'yaml';
import type { AgentSpec } from './agentSpec.ts';
import { API_VERSION, LEGACY_API_VERSION } from './agentSpec.ts';
import { show } from './capabilities.ts';
import { isObject } from './errorSink.ts';
import { parseLegacy } from './legacyAgentSpec.ts';
import { parseV1alpha1 } from './parseAgentSpec.ts';
import type { SpecDefaults } from './specDefaults.ts';
import type { SpecError } from './specError.ts';

export interface RepoFile {
  readonly path: string;
  readonly content: string;
}

export interface ParsedSpecs {
  readonly specs: AgentSpec[];
  readonly errors: SpecError[];
}

export function parseAgentSpecs(
  files: readonly RepoFile[],
  templates: ReadonlyMap<string, string>,
  defaults: SpecDefaults,
): ParsedSpecs {
  const specs: AgentSpec[] = [];
  const errors: SpecError[] = [];
  const byName = new Map<string, AgentSpec>();
  const byPrefix = new Map<string, AgentSpec>();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    if (/(^|\/)kustomization\.ya?ml$/.test(f.path)) continue;
    const docs = parseAllDocuments(f.content);
    if (!Array.isArray(docs)) continue; // empty file
    const multi = docs.filter((d) => d.contents !== null).length > 1;
    docs.forEach((d, i) => {
      const errorFile = multi ? `${f.path} (document ${i + 1})` : f.path;
      if (d.errors.length > 0) {
        errors.push({ file: errorFile, field: '', message: `is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`, hint: 'fix the YAML syntax' });
        return;
      }
      if (d.contents === null) return;
      const doc: unknown = d.toJS();
      if (!isObject(doc)) {
        errors.push({ file: errorFile, field: '', message: `must be a YAML mapping, got ${show(doc)}`, hint: `start with apiVersion: ${API_VERSION} and kind: AgentSpec` });
        return;
      }
      if (doc['kind'] === 'Kustomization') return;
      const apiVersion = doc['apiVersion'];
      if (doc['kind'] !== 'AgentSpec' || (apiVersion !== API_VERSION && apiVersion !== LEGACY_API_VERSION)) {
        errors.push({
          file: errorFile,
          field: doc['kind'] !== 'AgentSpec' ? 'kind' : 'apiVersion',
          message: `is not an AgentSpec (apiVersion ${show(apiVersion)}, kind ${show(doc['kind'])})`,
          hint: `use apiVersion: ${API_VERSION} and kind: AgentSpec`,
        });
        return;
      }
      const parsed = apiVersion === API_VERSION
        ? parseV1alpha1(doc, f.path, errorFile, templates, defaults)
        : parseLegacy(doc, f.path, errorFile, defaults);
      errors.push(...parsed.errors);
      const s = parsed.spec;
      if (!s) return;
      const sameName = byName.get(s.name);
      if (sameName) {
        errors.push({ file: errorFile, field: 'metadata.name', message: `duplicate AgentSpec name ${JSON.stringify(s.name)}, already defined in ${sameName.file}`, hint: 'give each AgentSpec a unique metadata.name' });
        return;
      }
      const samePrefix = byPrefix.get(s.prefix);
      if (samePrefix) {
        errors.push({ file: errorFile, field: 'spec.prefix', message: `duplicate prefix ${JSON.stringify(s.prefix)}, already used by AgentSpec ${samePrefix.name} (${samePrefix.file})`, hint: `set spec.prefix: ${s.prefix}-2 or another unused prefix` });
        return;
      }
      byName.set(s.name, s);
      byPrefix.set(s.prefix, s);
      specs.push(s);
    });
  }
  return { specs, errors };
}
