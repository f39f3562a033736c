// Matches `{org}/_apis/...` paths against route patterns. Segment values arrive percent-encoded.
import type { Route } from './context.ts';

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly routes: Route[] = [];

  add(...routes: Route[]): void {
    this.routes.push(...routes);
  }

  /** `pathMatches` tells a 404 (no such path) from a 405-ish wrong method; both answer 404 here. */
  match(method: string, path: string): Match | undefined {
    const segments = path.split('/').filter((s) => s !== '');
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const parts = route.pattern.split('/');
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string;
        let seg: string;
        try {
          seg = decodeURIComponent(segments[i] as string);
        } catch {
          ok = false;
          break;
        }
        if (part.startsWith('{')) params[part.slice(1, -1)] = seg;
        else if (part.toLowerCase() !== seg.toLowerCase()) { ok = false; break; }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }
}
