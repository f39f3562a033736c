// Where isomorphic-git reads and writes objects: a gitdir plus one shared cache object.
import type { PromiseFsClient } from 'isomorphic-git';

export interface ObjectStore {
  readonly fs: PromiseFsClient;
  readonly gitdir: string;
  /** isomorphic-git's memoization cache (parsed packfile indexes); dropped on re-clone. */
  readonly cache: object;
}
