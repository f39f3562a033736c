// Edits git trees at the object level: no working tree, no index. Only the trees on the paths
// of the changes are read and rewritten; every other subtree keeps its oid.
import git, { type TreeEntry } from 'isomorphic-git';
import type { ObjectStore } from './objectStore.ts';

export interface TreeChange {
  /** Repo-relative path with `/` separators, e.g. `agents/pods/linux/linux-abc.yaml`. */
  readonly path: string;
  /** New file content; null deletes the file (or the whole subtree at that path). */
  readonly content: string | null;
}

/** git's empty tree. */
export const EMPTY_TREE_OID = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

interface DirNode {
  readonly files: Map<string, string | null>;
  readonly dirs: Map<string, DirNode>;
}

const newNode = (): DirNode => ({ files: new Map(), dirs: new Map() });

/** Splits and checks a repo path; throws on absolute paths, `.`/`..`/`.git` segments and empty segments. */
export function splitRepoPath(p: string): string[] {
  const parts = p.split('/');
  if (p.length === 0 || parts.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git' || s.includes('\0'))) {
    throw new Error(`invalid repo path ${JSON.stringify(p)}: use a relative path like agents/pods/x.yaml`);
  }
  return parts;
}

function buildChangeTree(changes: readonly TreeChange[]): DirNode {
  const root = newNode();
  for (const c of changes) {
    const parts = splitRepoPath(c.path);
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      let next = node.dirs.get(dir);
      if (!next) {
        next = newNode();
        node.dirs.set(dir, next);
      }
      node = next;
    }
    const name = parts[parts.length - 1]!;
    if (node.files.has(name)) throw new Error(`path ${c.path} is changed twice in one commit`);
    node.files.set(name, c.content);
  }
  return root;
}

const entryKey = (e: TreeEntry): string => `${e.mode} ${e.type} ${e.oid}`;

async function editTree(store: ObjectStore, treeOid: string | undefined, node: DirNode): Promise<string | undefined> {
  const entries = new Map<string, TreeEntry>();
  if (treeOid !== undefined) {
    const { tree } = await git.readTree({ fs: store.fs, gitdir: store.gitdir, oid: treeOid, cache: store.cache });
    for (const e of tree) entries.set(e.path, e);
  }
  const before = new Map([...entries].map(([k, e]) => [k, entryKey(e)]));

  for (const [name, content] of node.files) {
    const existing = entries.get(name);
    if (content === null) {
      entries.delete(name);
      continue;
    }
    const oid = await git.writeBlob({ fs: store.fs, gitdir: store.gitdir, blob: Buffer.from(content, 'utf8') });
    // keep an executable bit a person set; a tree or submodule at that name is replaced by the file
    const mode = existing?.type === 'blob' && existing.mode === '100755' ? '100755' : '100644';
    entries.set(name, { mode, path: name, oid, type: 'blob' });
  }
  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    const subOid = await editTree(store, existing?.type === 'tree' ? existing.oid : undefined, child);
    if (subOid === undefined) {
      // empty subtree: git cannot store it. A blob at that name is left alone only if nothing was written below it.
      if (existing?.type === 'tree') entries.delete(name);
    } else {
      entries.set(name, { mode: '040000', path: name, oid: subOid, type: 'tree' });
    }
  }

  const unchanged = entries.size === before.size && [...entries].every(([k, e]) => before.get(k) === entryKey(e));
  if (unchanged && treeOid !== undefined) return entries.size === 0 ? undefined : treeOid;
  if (entries.size === 0) return undefined;
  return git.writeTree({ fs: store.fs, gitdir: store.gitdir, tree: [...entries.values()] });
}

/**
 * Writes the tree `baseTreeOid` + changes and returns its oid. Subtrees left empty are dropped;
 * missing directories are created. No change in effect → `baseTreeOid` itself.
 */
export async function writeTreeWithChanges(
  store: ObjectStore,
  baseTreeOid: string | undefined,
  changes: readonly TreeChange[],
): Promise<string> {
  const root = buildChangeTree(changes);
  const oid = await editTree(store, baseTreeOid, root);
  if (oid !== undefined) return oid;
  if (baseTreeOid === EMPTY_TREE_OID) return baseTreeOid;
  return git.writeTree({ fs: store.fs, gitdir: store.gitdir, tree: [] });
}
