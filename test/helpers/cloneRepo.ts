import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../sandbox/git/index.ts';
import type { World } from './world.ts';

/** A plain clone of the sandbox's cluster repo (from the bare repo on disk). */
export async function cloneRepoTo(world: World): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'azdo-gitops-clone-')), 'repo');
  await runGit(['clone', '--quiet', join(world.sandbox.git.root, 'cluster.git'), dir], tmpdir());
  return dir;
}
