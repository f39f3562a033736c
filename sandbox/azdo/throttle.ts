// TSTU-style rate limiting: each identity (token) has a budget of `tstuPerWindow` over a sliding
// window; every request costs `costPerRequest`. Over budget → blocked (429) until usage slides out.

export interface ThrottleConfig {
  tstuPerWindow: number;
  windowSeconds: number;
  costPerRequest: number;
}

/** Generous enough that normal tests and demos never hit it: 40 000 requests per 5 minutes. */
export const DEFAULT_THROTTLE: ThrottleConfig = { tstuPerWindow: 200, windowSeconds: 300, costPerRequest: 0.005 };

export const RATE_LIMIT_RESOURCE = 'ATCPU';

export interface ThrottleDecision {
  blocked: boolean;
  /** Headers to send; empty while usage is below half the budget (the service stays silent then). */
  headers: Record<string, string>;
}

interface Bucket { at: number; cost: number }

const BUCKET_MS = 100;

export class Throttle {
  private config: ThrottleConfig;
  private readonly usage = new Map<string, Bucket[]>();

  constructor(config: ThrottleConfig) {
    this.config = { ...config };
  }

  configure(config: ThrottleConfig): void {
    this.config = { ...config };
    this.usage.clear();
  }

  current(): ThrottleConfig { return { ...this.config }; }

  private windowMs(): number { return this.config.windowSeconds * 1000; }

  private buckets(identity: string, now: number): Bucket[] {
    const cutoff = now - this.windowMs();
    const list = (this.usage.get(identity) ?? []).filter((b) => b.at > cutoff);
    this.usage.set(identity, list);
    return list;
  }

  /** Charges the request unless it is blocked; blocked requests cost nothing. */
  check(identity: string, now = Date.now()): ThrottleDecision {
    const { tstuPerWindow: limit, costPerRequest: cost } = this.config;
    const buckets = this.buckets(identity, now);
    const used = buckets.reduce((sum, b) => sum + b.cost, 0);
    if (used + cost > limit) {
      return { blocked: true, headers: this.headers(buckets, used, now, this.retryAfterSeconds(buckets, used, now)) };
    }
    const slot = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const last = buckets[buckets.length - 1];
    if (last && last.at === slot) last.cost += cost;
    else buckets.push({ at: slot, cost });
    const after = used + cost;
    return { blocked: false, headers: after >= limit / 2 ? this.headers(buckets, after, now, undefined) : {} };
  }

  /** Seconds until enough usage has slid out of the window for one more request. */
  private retryAfterSeconds(buckets: Bucket[], used: number, now: number): number {
    const target = this.config.tstuPerWindow - this.config.costPerRequest;
    let remaining = used;
    for (const b of buckets) {
      remaining -= b.cost;
      if (remaining <= target) return Math.max(1, Math.ceil((b.at + this.windowMs() - now) / 1000));
    }
    return Math.max(1, Math.ceil(this.windowMs() / 1000));
  }

  private headers(buckets: Bucket[], used: number, now: number, retryAfter: number | undefined): Record<string, string> {
    const newest = buckets[buckets.length - 1]?.at ?? now;
    const headers: Record<string, string> = {
      'X-RateLimit-Resource': RATE_LIMIT_RESOURCE,
      'X-RateLimit-Delay': (retryAfter ?? 0).toFixed(3),
      'X-RateLimit-Limit': String(Math.round(this.config.tstuPerWindow)),
      'X-RateLimit-Remaining': String(Math.max(0, Math.floor(this.config.tstuPerWindow - used))),
      'X-RateLimit-Reset': String(Math.ceil((newest + this.windowMs()) / 1000)),
    };
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
    return headers;
  }
}

export function validateThrottleConfig(body: unknown): ThrottleConfig | string {
  if (typeof body !== 'object' || body === null) return 'Send {tstuPerWindow, windowSeconds, costPerRequest}.';
  const b = body as Record<string, unknown>;
  const out: Partial<ThrottleConfig> = {};
  for (const key of ['tstuPerWindow', 'windowSeconds', 'costPerRequest'] as const) {
    const v = b[key] ?? DEFAULT_THROTTLE[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `${key} must be a positive number.`;
    out[key] = v;
  }
  return out as ThrottleConfig;
}
