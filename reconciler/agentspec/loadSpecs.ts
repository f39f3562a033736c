// parseAgentSpecs: every AgentSpec file of the repo → valid specs + precise errors + warnings.
// Each file is read in isolation and within bounds (boundedYaml.ts): one hostile or broken file
// becomes SpecErrors naming it and never stops the others. Conflicts (same name or prefix) keep
// what is running; see specConflicts.ts.
import type { AgentSpec } from './agentSpec.ts';
import { API_VERSION, LEGACY_API_VERSION } from './agentSpec.ts';
import { readYaml } from '../support/boundedYaml.ts';
import { show } from './capabilities.ts';
import { isObject } from '../support/guards.ts';
import { parseLegacy } from './legacyAgentSpec.ts';
import { parseV1alpha1 } from './parseAgentSpec.ts';
import { resolveConflicts, type SpecCandidate, type SpecOwners } from './specConflicts.ts';
import type { SpecDefaults } from './specDefaults.ts';
import type { SpecError } from './specError.ts';

export interface RepoFile {
  readonly path: string;
  readonly content: string;
}

export interface ParsedSpecs {
  readonly specs: AgentSpec[];
  readonly errors: SpecError[];
  /** Accepted, but risky (host access, privileges, no securityContext): see podSafety.ts. */
  readonly warnings: SpecError[];
}

/** Errors reported per document at most; the rest are summed up in one line. */
export const MAX_ERRORS_PER_DOCUMENT = 20;

/** Every document of every file, checked on its own; conflicts between them not yet settled. */
export interface SpecCandidates {
  readonly candidates: readonly SpecCandidate[];
  /** Errors of the files themselves (everything but conflicts). */
  readonly errors: readonly SpecError[];
}

/**
 * @param owners what the reconciler left in git (pod manifests of the same commit) and in the
 *   pools (placeholder agents): they say which spec keeps a contested name or prefix.
 */
export function parseAgentSpecs(
  files: readonly RepoFile[],
  templates: ReadonlyMap<string, string>,
  defaults: SpecDefaults,
  owners: SpecOwners = {},
): ParsedSpecs {
  return settleSpecs(readSpecCandidates(files, templates, defaults), owners);
}

export function readSpecCandidates(files: readonly RepoFile[], templates: ReadonlyMap<string, string>, defaults: SpecDefaults): SpecCandidates {
  const errors: SpecError[] = [];
  const candidates: SpecCandidate[] = [];
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    if (/(^|\/)kustomization\.ya?ml$/.test(f.path)) continue;
    try {
      const r = parseFile(f, templates, defaults);
      errors.push(...r.errors);
      candidates.push(...r.candidates);
    } catch (err) {
      // A bug or an input no check foresaw: still this file's problem only.
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      errors.push({ file: f.path, field: '', message: `could not be checked: ${msg}`, hint: 'simplify the file; if it looks valid, report this message' });
    }
  }
  return { candidates, errors };
}

/** Settles conflicts (specConflicts.ts): the specs to use, all errors, and the used specs' warnings. */
export function settleSpecs(read: SpecCandidates, owners: SpecOwners): ParsedSpecs {
  const resolved = resolveConflicts(read.candidates, owners);
  // Warnings of specs that are not used would only distract from their errors.
  const accepted = new Set(resolved.specs);
  const warnings = read.candidates.filter((c) => accepted.has(c.spec)).flatMap((c) => c.warnings);
  return { specs: resolved.specs, errors: [...read.errors, ...resolved.errors], warnings };
}

function parseFile(f: RepoFile, templates: ReadonlyMap<string, string>, defaults: SpecDefaults): { errors: SpecError[]; candidates: SpecCandidate[] } {
  const errors: SpecError[] = [];
  const candidates: SpecCandidate[] = [];
  const read = readYaml(f.content);
  if (read.problem) {
    errors.push({ file: f.path, field: '', ...read.problem });
    return { errors, candidates };
  }
  const multi = read.docs.length > 1;
  read.docs.forEach((d, i) => {
    const errorFile = multi ? `${f.path} (document ${i + 1})` : f.path;
    if (d.problem) {
      errors.push({ file: errorFile, field: '', ...d.problem });
      return;
    }
    const doc = d.value;
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
    // Named errors reach the AgentSpec of the same name in the cluster (its status says why it is not used).
    const meta = doc['metadata'];
    const name = isObject(meta) && typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : undefined;
    errors.push(...capped(parsed.errors, errorFile).map((e) => (name === undefined ? e : { ...e, specName: name })));
    if (parsed.spec) candidates.push({ spec: parsed.spec, errorFile, warnings: parsed.warnings ?? [] });
  });
  return { errors, candidates };
}

/** A generated file can have thousands of unknown keys: report the first few and a count. */
function capped(errors: readonly SpecError[], file: string): SpecError[] {
  if (errors.length <= MAX_ERRORS_PER_DOCUMENT) return [...errors];
  const rest = errors.length - MAX_ERRORS_PER_DOCUMENT;
  return [
    ...errors.slice(0, MAX_ERRORS_PER_DOCUMENT),
    { file, field: '', message: `has ${rest} more problem(s) not listed`, hint: 'fix the ones above and validate again' },
  ];
}
