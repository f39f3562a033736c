// Fault injection for REST requests (never the admin API): latency, random 5xx, forced 429,
// outage, and a 2xx whose body is not the service's JSON. `count` limits how many requests a
// fault set affects before it clears itself.
import { injected, outage, throttled, type ServiceError } from './errors.ts';
import { JSON_CONTENT_TYPE } from './http.ts';
import { RATE_LIMIT_RESOURCE } from './throttle.ts';

/**
 * A 200 the client cannot read as the service's answer:
 * - `html`: a page in place of the service (a proxy's login or error page, a maintenance page),
 *   `text/html`; the request never reaches the service.
 * - `truncated-json`: the service handled the request and its JSON reply was cut short (half of
 *   it, with a Content-Length that matches what was sent, as a proxy that buffered part of it would).
 * - `empty-object`: `{}` in place of the service (a gateway stub); the request never reaches it.
 */
export type UnreadableReply = 'html' | 'truncated-json' | 'empty-object';

export const UNREADABLE_REPLIES: readonly UnreadableReply[] = ['html', 'truncated-json', 'empty-object'];

/** The page `reply: 'html'` sends, shaped like a maintenance page in front of an organization. */
export const MAINTENANCE_PAGE =
  '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Service Unavailable</title></head>\n' +
  '<body><h1>We\'ll be back soon</h1><p>This site is undergoing scheduled maintenance. Please try again later.</p></body></html>\n';

export interface FaultConfig {
  latencyMs?: number;
  errorRate?: number;
  errorStatus?: number;
  throttle?: { retryAfterSeconds: number };
  outage?: boolean;
  reply?: UnreadableReply;
  count?: number;
  /** Only requests of this route, as stats.byRoute names it (e.g. `DELETE distributedtask/pools/{poolId}/agents/{agentId}`). */
  route?: string;
}

export interface FaultOutcome {
  latencyMs: number;
  error: ServiceError | undefined;
  /** Answer 200 with this unreadable body instead of (or, `truncated-json`, cut from) the service's. */
  reply: UnreadableReply | undefined;
  headers: Record<string, string>;
}

export class Faults {
  private config: FaultConfig | undefined;
  private remaining: number | undefined;

  set(config: FaultConfig): void {
    this.config = { ...config };
    this.remaining = config.count;
  }

  clear(): void {
    this.config = undefined;
    this.remaining = undefined;
  }

  current(): (FaultConfig & { remaining?: number }) | undefined {
    return this.config ? { ...this.config, ...(this.remaining !== undefined ? { remaining: this.remaining } : {}) } : undefined;
  }

  /** Decides what happens to one REST request (its route key) and consumes one unit of `count`. */
  next(route: string): FaultOutcome | undefined {
    const c = this.config;
    if (!c) return undefined;
    if (c.route !== undefined && c.route !== route) return undefined;
    const out: FaultOutcome = { latencyMs: c.latencyMs ?? 0, error: undefined, reply: undefined, headers: {} };
    if (c.outage) {
      out.error = outage();
    } else if (c.throttle) {
      out.error = throttled(RATE_LIMIT_RESOURCE);
      const retry = c.throttle.retryAfterSeconds;
      out.headers = {
        'Retry-After': String(retry),
        'X-RateLimit-Resource': RATE_LIMIT_RESOURCE,
        'X-RateLimit-Delay': retry.toFixed(3),
        'X-RateLimit-Limit': '200',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000 + retry)),
      };
    } else if (c.errorRate !== undefined && Math.random() < c.errorRate) {
      out.error = injected(c.errorStatus ?? 500);
    } else if (c.reply) {
      out.reply = c.reply;
    }
    if (this.remaining !== undefined) {
      this.remaining -= 1;
      if (this.remaining <= 0) this.clear();
    }
    return out;
  }
}

export function validateFaultConfig(body: unknown): FaultConfig | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Send a JSON object {latencyMs?, errorRate?, errorStatus?, throttle?, outage?, reply?, count?, route?}.';
  const b = body as Record<string, unknown>;
  const num = (key: string, min: number, max: number): number | undefined | string => {
    const v = b[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) return `${key} must be a number in [${min}, ${max}].`;
    return v;
  };
  const latencyMs = num('latencyMs', 0, 600_000);
  const errorRate = num('errorRate', 0, 1);
  const errorStatus = num('errorStatus', 400, 599);
  const count = num('count', 1, 1e9);
  if (b['route'] !== undefined && typeof b['route'] !== 'string') return 'route must be a string such as "DELETE distributedtask/pools/{poolId}/agents/{agentId}".';
  for (const v of [latencyMs, errorRate, errorStatus, count]) if (typeof v === 'string') return v;
  const out: FaultConfig = {};
  if (latencyMs !== undefined) out.latencyMs = latencyMs as number;
  if (errorRate !== undefined) out.errorRate = errorRate as number;
  if (errorStatus !== undefined) out.errorStatus = errorStatus as number;
  if (count !== undefined) out.count = count as number;
  if (typeof b['route'] === 'string') out.route = b['route'];
  if (b.outage !== undefined) {
    if (typeof b.outage !== 'boolean') return 'outage must be a boolean.';
    out.outage = b.outage;
  }
  if (b.reply !== undefined) {
    if (!UNREADABLE_REPLIES.includes(b.reply as UnreadableReply)) return `reply must be one of ${UNREADABLE_REPLIES.map((r) => `"${r}"`).join(', ')}.`;
    out.reply = b.reply as UnreadableReply;
  }
  if (b.throttle !== undefined) {
    const t = b.throttle as Record<string, unknown> | null;
    const r = t && typeof t === 'object' ? t.retryAfterSeconds ?? 1 : undefined;
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0) return 'throttle must be {retryAfterSeconds: number}.';
    out.throttle = { retryAfterSeconds: r };
  }
  return out;
}

/** The body (and its content type) a `reply` fault sends; `json` is the service's own reply text. */
export function unreadableBody(reply: UnreadableReply, json: string): { contentType: string; text: string } {
  if (reply === 'html') return { contentType: 'text/html; charset=utf-8', text: MAINTENANCE_PAGE };
  if (reply === 'empty-object') return { contentType: JSON_CONTENT_TYPE, text: '{}' };
  // Any proper prefix of a JSON object or array is not JSON: the closing bracket is missing.
  return { contentType: JSON_CONTENT_TYPE, text: json.slice(0, Math.floor(json.length / 2)) };
}
