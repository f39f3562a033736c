// Reads YAML that arrives from outside (AgentSpecs, templates, manifests anyone can push) within
// fixed bounds, so one hostile or broken file costs milliseconds and never throws.
// - size: checked before anything is parsed;
// - tokens and nesting: counted by the linear lexer before the document is parsed (the parser
//   and composer cost more per node, and grow worse than linearly with depth);
// - aliases: the yaml library's maxAliasCount stops "billion laughs" expansion in toJS();
// - duplicate keys: found with one Set per mapping (the library's own check compares every
//   key with every other: 16k keys took seconds).
import { Lexer, LineCounter, parseAllDocuments, visit, isScalar } from 'yaml';
import type { Document } from 'yaml';

export const MAX_YAML_BYTES = 256 * 1024;
/** Lexer tokens (scalars, indicators, whitespace runs): the example specs have ~250, a large template a few thousand. */
export const MAX_YAML_TOKENS = 20_000;
/** Indentation columns + block indicators + open brackets: real specs stay under 40. */
export const MAX_YAML_NESTING = 200;
/** Alias dereferences toJS() may make; beyond it the library stops with an error. */
export const MAX_YAML_ALIASES = 100;

export interface YamlProblem {
  readonly message: string;
  readonly hint: string;
}

/** One document of a file: its value, or what is wrong with it. */
export type YamlDoc = { readonly value: unknown; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: YamlProblem };

export type YamlRead = { readonly docs: readonly YamlDoc[]; readonly problem?: undefined } | { readonly docs?: undefined; readonly problem: YamlProblem };

export interface YamlBounds {
  readonly maxBytes: number;
  readonly maxTokens: number;
  readonly maxAliases: number;
  readonly maxNesting: number;
}

export const DEFAULT_YAML_BOUNDS: YamlBounds = { maxBytes: MAX_YAML_BYTES, maxTokens: MAX_YAML_TOKENS, maxAliases: MAX_YAML_ALIASES, maxNesting: MAX_YAML_NESTING };

/** The non-empty documents of `content`, each decoded to plain JS, or the one reason the file cannot be read. */
export function readYaml(content: string, bounds: YamlBounds = DEFAULT_YAML_BOUNDS): YamlRead {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > bounds.maxBytes) {
    return { problem: { message: `is ${kib(bytes)} KiB, over the ${kib(bounds.maxBytes)} KiB limit for one file`, hint: 'split it, or move repeated parts into a shared template under templates/' } };
  }
  const lexed = lexicalProblem(content, bounds);
  if (lexed) return { problem: lexed };
  try {
    const lines = new LineCounter();
    const parsed = parseAllDocuments(content, { uniqueKeys: false, lineCounter: lines });
    if (!Array.isArray(parsed)) return { docs: [] }; // empty file
    const docs: YamlDoc[] = [];
    for (const d of parsed) {
      if (d.errors.length > 0) {
        docs.push({ problem: { message: `is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`, hint: 'fix the YAML syntax' } });
        continue;
      }
      if (d.contents === null) continue;
      const dup = duplicateKey(d, lines);
      if (dup) {
        docs.push({ problem: { message: `is not valid YAML: the key ${JSON.stringify(dup.key)} appears twice in one mapping${dup.line ? ` (line ${dup.line})` : ''}`, hint: 'keep one of them' } });
        continue;
      }
      try {
        docs.push({ value: d.toJS({ maxAliasCount: bounds.maxAliases }) as unknown });
      } catch (err) {
        docs.push({ problem: aliasOrOther(err) });
      }
    }
    return { docs };
  } catch (err) {
    return { problem: aliasOrOther(err) };
  }
}

/**
 * One linear pass of the lexer: the token count, and a nesting estimate (indentation columns +
 * block indicators on the line + open brackets) that bounds how deep the document can nest.
 * The library's parser slows down sharply with depth (15,000 brackets: most of a second).
 */
function lexicalProblem(content: string, bounds: YamlBounds): YamlProblem | undefined {
  let tokens = 0;
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  let scalarNext = false;
  for (const tok of new Lexer().lex(content)) {
    if (++tokens > bounds.maxTokens) {
      return { message: `has more than ${bounds.maxTokens} YAML tokens (keys, values, indicators), far more than any AgentSpec needs`, hint: 'remove the generated or repeated content' };
    }
    if (scalarNext) {
      scalarNext = false; // a scalar's text, whatever characters it holds
      lineStart = false;
      continue;
    }
    if (tok === SCALAR) scalarNext = true;
    else if (tok === '\n' || tok === '\r\n') {
      lineStart = true;
      indent = 0;
      indicators = 0;
    } else if (lineStart && /^ +$/.test(tok)) indent = tok.length;
    else {
      lineStart = false;
      if (tok === '-' || tok === '?') indicators++;
      else if (tok === '[' || tok === '{') flow++;
      else if (tok === ']' || tok === '}') flow = Math.max(0, flow - 1);
      if (flow + indent + indicators > bounds.maxNesting) {
        return { message: `is nested deeper than ${bounds.maxNesting} levels (indentation, '-' and brackets counted)`, hint: 'flatten the document; an AgentSpec needs a few levels' };
      }
    }
  }
  return undefined;
}

/** The lexer's marker before every scalar token. */
const SCALAR = '\x1f';

function aliasOrOther(err: unknown): YamlProblem {
  const msg = err instanceof Error ? err.message : String(err);
  if (/alias/i.test(msg)) {
    return { message: 'uses YAML aliases (*name) that expand too far: a resource exhaustion pattern', hint: 'write the values out, or use a few plain anchors without nesting them' };
  }
  if (err instanceof RangeError) return { message: 'is nested too deeply to read', hint: 'flatten the document' };
  return { message: `cannot be read as YAML: ${msg.split('\n')[0]}`, hint: 'fix the YAML syntax' };
}

/** The first key that appears twice in one mapping (linear: one Set per mapping). */
function duplicateKey(doc: Document.Parsed, lines: LineCounter): { key: string; line: number | undefined } | undefined {
  let found: { key: string; line: number | undefined } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key;
        if (!isScalar(k)) continue; // complex keys are rare and not used by AgentSpecs
        const name = String(k.value);
        if (seen.has(name)) {
          const offset = k.range?.[0];
          found = { key: name, line: offset === undefined ? undefined : lines.linePos(offset).line };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
}

const kib = (n: number): string => (n / 1024).toFixed(n % 1024 === 0 ? 0 : 1);
