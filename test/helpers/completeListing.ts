// The unfinished-only listing read to its end (it stops short only past a size limit).
import assert from 'node:assert/strict';
import type { StreamedListing } from '../../reconciler/azdo/jobRequests.ts';

export type CompleteListing = Extract<StreamedListing, { kind: 'complete' }>;

export async function complete(read: Promise<StreamedListing>): Promise<CompleteListing> {
  const got = await read;
  assert.equal(got.kind, 'complete', 'the listing was stopped short');
  return got as CompleteListing;
}
