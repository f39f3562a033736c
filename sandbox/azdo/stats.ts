// Request counters, so benchmarks and tests can measure poll cost per route.
export class Stats {
  requests = 0;
  throttled = 0;
  faulted = 0;
  unauthorized = 0;
  notFound = 0;
  byRoute: Record<string, number> = {};
  /** Requests by route and the names of their query parameters (`GET …/jobrequests?$top&continuationToken`): which form of a call. */
  byForm: Record<string, number> = {};
  /** Response body bytes sent, in all and by route (what a client downloads, headers aside). */
  bytes = 0;
  bytesByRoute: Record<string, number> = {};
  /** TCP connections accepted: fewer than requests when clients keep connections alive. */
  connections = 0;

  count(route: string, query?: URLSearchParams): void {
    this.requests += 1;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
    const names = [...new Set(query?.keys() ?? [])].filter((k) => k !== 'api-version').sort();
    const form = names.length > 0 ? `${route}?${names.join('&')}` : route;
    this.byForm[form] = (this.byForm[form] ?? 0) + 1;
  }

  addBytes(route: string, n: number): void {
    if (!Number.isFinite(n) || n <= 0) return;
    this.bytes += n;
    this.bytesByRoute[route] = (this.bytesByRoute[route] ?? 0) + n;
  }

  reset(): void {
    this.bytes = 0;
    this.bytesByRoute = {};
    this.connections = 0;
    this.requests = 0;
    this.throttled = 0;
    this.faulted = 0;
    this.unauthorized = 0;
    this.notFound = 0;
    this.byRoute = {};
    this.byForm = {};
  }

  snapshot(): Record<string, unknown> {
    return {
      requests: this.requests, throttled: this.throttled, faulted: this.faulted,
      unauthorized: this.unauthorized, notFound: this.notFound, byRoute: { ...this.byRoute }, byForm: { ...this.byForm },
      bytes: this.bytes, bytesByRoute: { ...this.bytesByRoute }, connections: this.connections,
    };
  }
}
