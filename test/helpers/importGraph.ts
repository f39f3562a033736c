// The relative imports of every .ts file under a directory, read with a regex over the source:
// static `import … from`, `export … from`, bare `import '…'` and `import('…')` with a literal.
// Type-only imports count: a type is a dependency on the module that defines it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the repository root, `/`-separated. */
  readonly from: string;
  /** Imported file, resolved and relative to the repository root. */
  readonly to: string;
  /** The specifier as written. */
  readonly specifier: string;
}

const STATIC = /^[ \t]*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importSpecifiers(source: string): string[] {
  return [STATIC, BARE, DYNAMIC].flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports only: packages and node: built-ins are not part of the project's graph. */
export function importEdges(root: string, dirs: readonly string[]): ImportEdge[] {
  const toRepo = (p: string): string => relative(root, p).split('\\').join('/');
  return dirs.flatMap((d) =>
    tsFiles(join(root, d)).flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .filter((s) => s.startsWith('./') || s.startsWith('../'))
        .map((specifier) => ({ from: toRepo(file), to: toRepo(normalize(join(dirname(file), specifier))), specifier })),
    ),
  );
}
