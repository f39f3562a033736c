// Every request to the API server is bounded in time (kubeHttp.ts fails it with a TimeoutError):
// against a server that accepts the connection and never answers (a partition that drops
// packets), a call would otherwise wait forever.

/** For a one-off call in a pass (an Event, a sync request): long enough for a slow server, short enough not to stall the pass. */
export const PASS_REQUEST_TIMEOUT_MS = 5_000;

/** Merge patch (RFC 7386): the fields sent replace those in the object, others stay. */
export const MERGE_PATCH = 'application/merge-patch+json';
