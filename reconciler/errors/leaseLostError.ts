/**
 * This replica may no longer write: its Lease was not renewed within the renew deadline, or
 * another replica holds it. The reason of the leadership signal a pass checks before each write;
 * the pass stops where it is and the next leader (or this one, once renewed) re-derives everything.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(why: string) {
    super(`leadership lost (${why}); writes stopped until the Lease is held again. If this repeats, check that the API server is reachable from the reconciler`);
  }
}
