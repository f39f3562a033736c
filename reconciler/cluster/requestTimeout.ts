// client-node requests have no timeout of their own: against an API server that accepts the
// connection and never answers (a partition that drops packets), a call waits forever.
import { Observable, type ConfigurationOptions } from '@kubernetes/client-node';

/** For a one-off call in a pass (an Event, a sync request): long enough for a slow server, short enough not to stall the pass. */
export const PASS_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Per-call options bounding one request: it fails with a `TimeoutError` after `ms` (counted from
 * when it is sent), or with `signal`'s reason when that aborts first. `base` (e.g. a
 * Content-Type from setHeaderOptions) is kept.
 */
export function requestTimeout(ms: number, signal?: AbortSignal, base?: ConfigurationOptions): ConfigurationOptions {
  return {
    ...base,
    middleware: [
      ...(base?.middleware ?? []),
      {
        pre: (ctx) => {
          const timeout = AbortSignal.timeout(ms);
          ctx.setSignal(signal ? AbortSignal.any([timeout, signal]) : timeout);
          return new Observable(Promise.resolve(ctx));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
