import type { RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export type RouteMatch =
  /** `route`: the path as registered, each `:name` written `{name}` (`/v1/responses/{id}`): a metrics label. */
  | { kind: 'found'; handler: Handler; params: Record<string, string>; route: string }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

interface Pattern {
  segments: string[];
  handlers: Map<string, Handler>;
  route: string;
}

interface Exact {
  handlers: Map<string, Handler>;
  route: string;
}

/** `/v1/responses/:id` → `/v1/responses/{id}`. */
const routeName = (path: string): string => path.replace(/:([^/]+)/g, '{$1}');

/**
 * A small router: exact paths in a map (the hot /v1 routes cost one lookup), patterns with
 * `:name` segments for the rest. Distinguishes "no such path" (404 Invalid URL) from "path
 * exists, other method" (405).
 */
export class Router {
  private readonly exact = new Map<string, Exact>();
  private readonly patterns: Pattern[] = [];

  on(method: string, path: string, handler: Handler): this {
    if (path.includes(':')) {
      const segments = path.split('/');
      let p = this.patterns.find((x) => x.segments.join('/') === segments.join('/'));
      if (!p) {
        p = { segments, handlers: new Map(), route: routeName(path) };
        this.patterns.push(p);
      }
      p.handlers.set(method, handler);
    } else {
      let e = this.exact.get(path);
      if (!e) this.exact.set(path, (e = { handlers: new Map(), route: path }));
      e.handlers.set(method, handler);
    }
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const normalized = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const exact = this.exact.get(normalized);
    if (exact) return pick(exact.handlers, method, {}, exact.route);
    const parts = normalized.split('/');
    for (const p of this.patterns) {
      if (p.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = p.segments[i]!;
        const part = parts[i]!;
        if (seg.startsWith(':')) {
          if (part.length === 0) {
            ok = false;
            break;
          }
          try {
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            ok = false;
            break;
          }
        } else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (ok) return pick(p.handlers, method, params, p.route);
    }
    return { kind: 'not_found' };
  }
}

function pick(handlers: Map<string, Handler>, method: string, params: Record<string, string>, route: string): RouteMatch {
  const h = handlers.get(method) ?? (method === 'HEAD' ? handlers.get('GET') : undefined);
  if (h) return { kind: 'found', handler: h, params, route };
  return { kind: 'method_not_allowed', allowed: [...handlers.keys()] };
}
