// Which listing a pool's job requests are read from, and what each read teaches the next.
//
// The unfinished-only listing (`completedRequestCount=0`) is exact in one call, but every request
// in it carries `matchedAgents`: its bytes grow with queued jobs × eligible agents, gigabytes for
// a pool of thousands. The paged `$top` listing carries no `matchedAgents` but lists finished
// requests too, newest first. Request ids grow as requests are queued and a finished request
// stays finished, so once a complete read has seen a pool's oldest unfinished request (the
// floor), every request below the floor is finished for good: a paged read that reaches the
// floor has seen every request that can still need an agent. Pools whose unfinished-only listing
// was large are read that way while it reaches the floor within a budget of pages. A pool's first
// read stops the unfinished-only listing past a size and pages the whole listing instead, which
// is cheaper where the pool's history is short; where neither fits, the unfinished-only listing
// is read to its end.

/** Below this unfinished-only listing size one call is cheaper than pages. */
export const PAGED_FROM_BYTES = 1024 * 1024;
/**
 * Below this size per request the listing's `matchedAgents` are few (~350 bytes each, the rest of
 * a request ~1.3 KiB): pages would read about as many bytes in more calls.
 */
export const PAGED_FROM_REQUEST_BYTES = 4 * 1024;
/** What one page of 200 requests without `matchedAgents` costs, about: a page budget is the listing's bytes in pages. */
export const PAGE_BYTES = 256 * 1024;
/** At most this many pages per read (20,000 requests), whatever the listing's size. */
export const MAX_PAGES = 100;
/** A pool's first unfinished-only listing is stopped past this size, for a read of its pages. */
export const FIRST_READ_MAX_BYTES = 64 * 1024 * 1024;
/** The floor of a read of the whole paged listing: request ids are positive. */
export const WHOLE_LISTING = 1;

export interface PoolListingState {
  /** Every request of the pool with a smaller id was finished at a complete read. */
  readonly floor: number | undefined;
  /** Bytes of the pool's last unfinished-only listing. */
  readonly streamedBytes: number | undefined;
  /** Requests in it (undefined: it was stopped short). */
  readonly streamedRequests: number | undefined;
  /** The floor a paged read last could not reach within its budget: paged reads wait until the floor moves. */
  readonly pagedGaveUpAt: number | undefined;
}

/** One read of a pool's job requests: the unfinished-only listing (stopped past `maxBytes`), or pages down to `floor`. */
export type ListingRead =
  | { readonly kind: 'streamed'; readonly maxBytes: number | undefined }
  | { readonly kind: 'paged'; readonly floor: number; readonly maxPages: number };

export interface ListingThresholds {
  readonly pagedFromBytes: number;
  readonly pagedFromRequestBytes: number;
  readonly pageBytes: number;
  readonly maxPages: number;
  readonly firstReadMaxBytes: number;
}

export const DEFAULT_THRESHOLDS: ListingThresholds = {
  pagedFromBytes: PAGED_FROM_BYTES,
  pagedFromRequestBytes: PAGED_FROM_REQUEST_BYTES,
  pageBytes: PAGE_BYTES,
  maxPages: MAX_PAGES,
  firstReadMaxBytes: FIRST_READ_MAX_BYTES,
};

const STREAMED: ListingRead = { kind: 'streamed', maxBytes: undefined };

/**
 * The reads to try, in order, until one completes; the last always completes (the whole
 * unfinished-only listing). A pool never read: the unfinished-only listing up to a size, else the
 * whole paged listing within the page budget (again on the next pass if a page failed). A pool
 * with a floor whose listing was large, and large per request: pages down to the floor, unless
 * the last paged read gave up at this floor.
 */
export function listingReads(s: PoolListingState | undefined, t: ListingThresholds = DEFAULT_THRESHOLDS): readonly ListingRead[] {
  const wholePaged: ListingRead = { kind: 'paged', floor: WHOLE_LISTING, maxPages: t.maxPages };
  if (s === undefined) return [{ kind: 'streamed', maxBytes: t.firstReadMaxBytes }, wholePaged, STREAMED];
  // Stopped short, then no floor (a page failed): the whole paged listing again, not the large one.
  if (s.floor === undefined && s.streamedRequests === undefined && s.streamedBytes !== undefined && s.pagedGaveUpAt !== WHOLE_LISTING) return [wholePaged, STREAMED];
  if (s.floor === undefined || s.streamedBytes === undefined) return [STREAMED];
  if (s.streamedBytes < t.pagedFromBytes || s.pagedGaveUpAt === s.floor) return [STREAMED];
  if (s.streamedRequests !== undefined && s.streamedBytes < t.pagedFromRequestBytes * s.streamedRequests) return [STREAMED];
  return [{ kind: 'paged', floor: s.floor, maxPages: Math.max(1, Math.min(t.maxPages, Math.floor(s.streamedBytes / t.pageBytes))) }, STREAMED];
}

/** After an unfinished-only listing: its oldest request is the floor (none listed keeps the floor there was). */
export function afterStreamed(s: PoolListingState | undefined, oldestUnfinished: number | undefined, bytes: number, requests: number): PoolListingState {
  return { floor: oldestUnfinished ?? s?.floor, streamedBytes: bytes, streamedRequests: requests, pagedGaveUpAt: s?.pagedGaveUpAt };
}

/** After an unfinished-only listing stopped at `bytes`: at least that large, and nothing learnt of the floor. */
export function afterStreamedTooLarge(s: PoolListingState | undefined, bytes: number): PoolListingState {
  return { floor: s?.floor, streamedBytes: Math.max(bytes, s?.streamedBytes ?? 0), streamedRequests: undefined, pagedGaveUpAt: s?.pagedGaveUpAt };
}

/** After a paged read that reached the floor: the floor it found. */
export function afterPaged(s: PoolListingState | undefined, floor: number): PoolListingState {
  return { floor, streamedBytes: s?.streamedBytes, streamedRequests: s?.streamedRequests, pagedGaveUpAt: undefined };
}

/** After a paged read that did not reach the floor: the unfinished-only listing until the floor moves. */
export function afterPagedGaveUp(s: PoolListingState | undefined, floor: number): PoolListingState {
  return { floor: s?.floor, streamedBytes: s?.streamedBytes, streamedRequests: s?.streamedRequests, pagedGaveUpAt: floor };
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

  reads(poolId: number): readonly ListingRead[] {
    return listingReads(this.#pools.get(poolId), this.thresholds);
  }

  set(poolId: number, state: PoolListingState): void {
    this.#pools.set(poolId, state);
  }
}
