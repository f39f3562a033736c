// Request counters, so benchmarks and tests can measure poll cost per route.
export class Stats {
  requests = 0;
  throttled = 0;
  faulted = 0;
  unauthorized = 0;
  notFound = 0;
  byRoute: Record<string, number> = {};

  count(route: string): void {
    this.requests += 1;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
  }

  reset(): void {
    this.requests = 0;
    this.throttled = 0;
    this.faulted = 0;
    this.unauthorized = 0;
    this.notFound = 0;
    this.byRoute = {};
  }

  snapshot(): Record<string, unknown> {
    return {
      requests: this.requests, throttled: this.throttled, faulted: this.faulted,
      unauthorized: this.unauthorized, notFound: this.notFound, byRoute: { ...this.byRoute },
    };
  }
}
