// One writer per repo/branch inside this process. isomorphic-git is not safe for concurrent use
// on one gitdir. Re-entrant within one async call chain (AsyncLocalStorage), so a locked
// operation may call other locked operations of the same repo.
import { AsyncLocalStorage } from 'node:async_hooks';

const held = new AsyncLocalStorage<Set<string>>();
const tails = new Map<string, Promise<void>>();

/** Runs fn while holding the process-wide lock named `key`. */
export async function withKeyedLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(key)) return fn();
  const prev = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const next = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => next);
  tails.set(key, tail);
  await prev;
  try {
    return await held.run(new Set([...(mine ?? []), key]), fn);
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
