// Which listing a pool's job requests are read from, and what each read teaches the next.
//
// The unfinished-only listing (`completedRequestCount=0`) is exact in one call, but every request
// in it carries `matchedAgents`: its bytes grow with queued jobs × eligible agents, gigabytes for
// a pool of thousands. The paged `$top` listing carries no `matchedAgents` but lists finished
// requests too, newest first. Request ids grow as requests are queued and a finished request
// stays finished, so once a complete read has seen a pool's oldest unfinished request (the
// floor), every request below the floor is finished for good: a paged read that reaches the
// floor has seen every request that can still need an agent. Pools whose unfinished-only listing
// was large are read that way while it reaches the floor within a budget of pages.

/** Below this unfinished-only listing size one call is cheaper than pages. */
export const PAGED_FROM_BYTES = 1024 * 1024;
/** What one page of 200 requests without `matchedAgents` costs, about: a page budget is the listing's bytes in pages. */
export const PAGE_BYTES = 256 * 1024;
/** At most this many pages per read (20,000 requests), whatever the listing's size. */
export const MAX_PAGES = 100;

export interface PoolListingState {
  /** Every request of the pool with a smaller id was finished at a complete read. */
  readonly floor: number | undefined;
  /** Bytes of the pool's last unfinished-only listing. */
  readonly streamedBytes: number | undefined;
  /** The floor a paged read last could not reach within its budget: paged reads wait until the floor moves. */
  readonly pagedGaveUpAt: number | undefined;
}

export type ListingChoice =
  | { readonly kind: 'streamed' }
  | { readonly kind: 'paged'; readonly floor: number; readonly maxPages: number };

export interface ListingThresholds {
  readonly pagedFromBytes: number;
  readonly pageBytes: number;
  readonly maxPages: number;
}

export const DEFAULT_THRESHOLDS: ListingThresholds = { pagedFromBytes: PAGED_FROM_BYTES, pageBytes: PAGE_BYTES, maxPages: MAX_PAGES };

const STREAMED: ListingChoice = { kind: 'streamed' };

/** Paged down to the floor once one is known, the last listing was large, and the last paged read did not give up at this floor. */
export function chooseListing(s: PoolListingState | undefined, t: ListingThresholds = DEFAULT_THRESHOLDS): ListingChoice {
  if (s?.floor === undefined || s.streamedBytes === undefined) return STREAMED;
  if (s.streamedBytes < t.pagedFromBytes || s.pagedGaveUpAt === s.floor) return STREAMED;
  return { kind: 'paged', floor: s.floor, maxPages: Math.max(1, Math.min(t.maxPages, Math.floor(s.streamedBytes / t.pageBytes))) };
}

/** After an unfinished-only listing: its oldest request is the floor (none listed keeps the floor there was). */
export function afterStreamed(s: PoolListingState | undefined, oldestUnfinished: number | undefined, bytes: number): PoolListingState {
  return { floor: oldestUnfinished ?? s?.floor, streamedBytes: bytes, pagedGaveUpAt: s?.pagedGaveUpAt };
}

/** After a paged read that reached the floor: the floor it found. */
export function afterPaged(s: PoolListingState, floor: number): PoolListingState {
  return { ...s, floor, pagedGaveUpAt: undefined };
}

/** After a paged read that did not reach the floor: the unfinished-only listing until the floor moves. */
export function afterPagedGaveUp(s: PoolListingState, floor: number): PoolListingState {
  return { ...s, pagedGaveUpAt: floor };
}

/**
 * The floor a complete read of every request at or above `floor` finds: its oldest unfinished
 * request, or when none is unfinished, one past the newest request read (every request up to it
 * existed when the read began, and was read finished). Nothing read keeps the floor.
 */
export function floorAfterRead(floor: number, read: readonly { readonly requestId: number; readonly finished: boolean }[]): number {
  let oldestUnfinished: number | undefined;
  let newest: number | undefined;
  for (const r of read) {
    if (r.requestId < floor) continue;
    if (!r.finished && (oldestUnfinished === undefined || r.requestId < oldestUnfinished)) oldestUnfinished = r.requestId;
    if (newest === undefined || r.requestId > newest) newest = r.requestId;
  }
  return oldestUnfinished ?? (newest === undefined ? floor : newest + 1);
}

/** The pools' listing states of one session (one organization), kept across passes. */
export class JobListingMemory {
  readonly #pools = new Map<number, PoolListingState>();
  readonly thresholds: ListingThresholds;

  constructor(thresholds: Partial<ListingThresholds> = {}) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  }

  get(poolId: number): PoolListingState | undefined {
    return this.#pools.get(poolId);
  }

  choose(poolId: number): ListingChoice {
    return chooseListing(this.#pools.get(poolId), this.thresholds);
  }

  set(poolId: number, state: PoolListingState): void {
    this.#pools.set(poolId, state);
  }
}
