/**
 * Serves the console's built files (`packages/console/dist`) at `/`: a file that exists is sent
 * as itself; any other GET that asks for HTML gets `index.html` (the app routes in the browser),
 * with `<base href>` set to the console's base path so that deep links under a sub-path load
 * their assets. `/` sends a visitor without a session to `login`; `/favicon.ico` answers the
 * console's SVG icon. API prefixes are never answered here (they keep their own 404s). With no
 * build present, HTML requests get a 503 page that says how to build it, not a crash.
 * @module
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { header, type RequestContext } from '../http/context.js';

/** `packages/console/dist`, from `src/console` (tests) and from `dist/console` (built) alike. */
export const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** The console's icon (`packages/console/public/favicon.svg`), which index.html links to. */
const FAVICON = 'favicon.svg';

/** Paths that belong to the APIs and pages the gateway serves itself. */
const NOT_CONSOLE = /^\/(v1|admin|docs|api|console\/api|metrics|healthz|readyz|status)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The console's security headers: scripts only from this origin (no inline script), never framed,
 * no MIME sniffing, referrers kept to this origin. `formOrigins`: where a form may post besides
 * this origin (the SSO provider, whose sign-in page the start redirects to).
 */
export function securityHeaders(formOrigins: string[] = []): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // React sets styles through the CSSOM, which CSP does not govern; style attributes in markup
    // (charts) need 'unsafe-inline' for styles only, never for scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${formOrigins.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
  };
}

export interface ConsoleStaticOptions {
  distDir: string;
  basePath: string;
  /** Whether the request carries a live session (for `/` → `login`). */
  signedIn: (ctx: RequestContext) => Promise<boolean>;
  formOrigins?: string[];
}

/** The fallback for GET/HEAD requests no route matched: true when the console answered. */
export function consoleStatic(opts: ConsoleStaticOptions): (ctx: RequestContext) => Promise<boolean> {
  const headers = securityHeaders(opts.formOrigins);
  const root = normalize(opts.distDir.endsWith(sep) ? opts.distDir : opts.distDir + sep);
  let indexCache: { mtimeMs: number; html: string } | undefined;

  const send = (ctx: RequestContext, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    ctx.res.writeHead(status, { ...headers, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'x-request-id': ctx.id, ...extra });
    ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
  };

  const index = async (): Promise<string | undefined> => {
    const file = join(root, 'index.html');
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    if (indexCache?.mtimeMs !== st.mtimeMs) {
      const raw = await readFile(file, 'utf8');
      // A <base> the build wrote itself wins; one mentioned in a comment does not count.
      const hasBase = /<base\s/i.test(raw.replace(/<!--[\s\S]*?-->/g, ''));
      const html = hasBase ? raw : raw.replace(/<head([^>]*)>/i, `<head$1><base href="${opts.basePath}">`);
      indexCache = { mtimeMs: st.mtimeMs, html };
    }
    return indexCache.html;
  };

  return async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
    if (NOT_CONSOLE.test(ctx.path)) return false;
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path);
    } catch {
      return false;
    }
    const wantsHtml = (header(ctx, 'accept') ?? '').includes('text/html');
    if (rel === '/' && wantsHtml && !(await opts.signedIn(ctx))) {
      ctx.res.writeHead(302, { ...headers, location: `${opts.basePath}login`, 'cache-control': 'no-store', 'content-length': '0' }).end();
      return true;
    }
    const file = normalize(join(root, rel));
    if (file.startsWith(root) && !rel.includes('\0')) {
      const st = await stat(file).catch(() => undefined);
      if (st?.isFile() && extname(file) !== '.html') {
        const hashed = rel.startsWith('/assets/');
        ctx.res.writeHead(200, {
          ...headers,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': String(st.size),
          'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
        if (ctx.method === 'HEAD') ctx.res.end();
        else createReadStream(file).pipe(ctx.res);
        return true;
      }
    }
    // Browsers ask for /favicon.ico on pages that name no icon (the status page, a JSON answer
    // shown as a page): the console's icon answers, or an empty 204 without a build; never a 404.
    if (rel === '/favicon.ico') {
      const icon = await readFile(join(root, FAVICON)).catch(() => undefined);
      if (icon) send(ctx, 200, TYPES['.svg']!, icon, { 'cache-control': 'public, max-age=86400' });
      else {
        ctx.res.writeHead(204, { ...headers, 'cache-control': 'public, max-age=3600', 'x-request-id': ctx.id });
        ctx.res.end();
      }
      return true;
    }
    if (!wantsHtml) return false;
    const html = await index();
    if (html === undefined) {
      send(
        ctx,
        503,
        'text/html; charset=utf-8',
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tollgate console not built</title></head><body><h1>The console is not built</h1><p>This gateway has no console files (packages/console/dist). Run <code>npm run build</code> in the Tollgate checkout, then reload. The APIs under /v1 and /admin/v1 work without it.</p></body></html>',
        { 'cache-control': 'no-store', 'retry-after': '60' },
      );
      return true;
    }
    send(ctx, 200, 'text/html; charset=utf-8', html, { 'cache-control': 'no-cache' });
    return true;
  };
}
