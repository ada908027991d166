/**
 * The public status surfaces, unauthenticated GETs cacheable for a few seconds:
 *
 *   /api/v2/{summary,status,components,incidents,incidents/unresolved,scheduled-maintenances,
 *            scheduled-maintenances/upcoming,scheduled-maintenances/active}.json   Statuspage v2
 *   /status                      the page (HTML, no JavaScript; ?lang=en|zh-CN or Accept-Language)
 *   /status/incidents/{id}       one incident with every update
 *   /status/history[?page=N]     every incident and maintenance, newest first, 25 to a page
 *   /status/history.atom, .rss   incident feeds
 *
 * An error under /status (an unknown incident or path, a failure) is a page in the site's style
 * and language for a browser (Accept prefers text/html) and the JSON error for everyone else.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { prefersHtml } from '../http/accept.js';
import { sendJson, sendText, type ErrorPage } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { atomFeed, rssFeed } from './feeds.js';
import { renderErrorPage, renderHistoryPage, renderIncidentPage, renderStatusPage } from './html.js';
import { pickLocale } from './i18n.js';
import type { StatusMonitor } from './monitor.js';
import { v2, type Snapshot } from './page.js';
import { readDays } from './uptime.js';

const CACHE = { 'cache-control': 'public, max-age=10' };
const HISTORY_PAGE = 25;

export function registerStatusRoutes(router: Router, monitor: StatusMonitor, store: Parameters<typeof readDays>[0]): void {
  const json = (path: string, build: (s: Snapshot) => unknown) =>
    router.on('GET', `/api/v2/${path}`, async (ctx) => {
      sendJson(ctx, 200, build(await monitor.snapshot()), CACHE);
    });
  json('summary.json', v2.summary);
  json('status.json', v2.status);
  json('components.json', v2.components);
  json('incidents.json', v2.incidents);
  json('incidents/unresolved.json', v2.unresolved);
  json('scheduled-maintenances.json', v2.maintenances);
  json('scheduled-maintenances/upcoming.json', v2.upcoming);
  json('scheduled-maintenances/active.json', v2.active);

  const html = (ctx: RequestContext, text: string) => {
    ctx.headers['cache-control'] = CACHE['cache-control'];
    ctx.headers['content-language'] = pickLocale(ctx.rawQuery, header(ctx, 'accept-language'));
    sendText(ctx, 200, 'text/html; charset=utf-8', text);
  };
  const input = async (ctx: RequestContext) => {
    const snapshot = await monitor.snapshot();
    const days = await readDays(store, snapshot.components.map((c) => c.def.id), snapshot.now, 90);
    return { snapshot, days, locale: pickLocale(ctx.rawQuery, header(ctx, 'accept-language')), path: ctx.path };
  };
  router.on('GET', '/status', async (ctx) => html(ctx, renderStatusPage(await input(ctx))));
  router.on('GET', '/status/incidents/:id', async (ctx) => {
    const i = await monitor.incidents.get(ctx.params.id!);
    if (!i) throw new ApiError('resource_not_found', { resource: 'incident', id: ctx.params.id! });
    html(ctx, renderIncidentPage(await input(ctx), i));
  });
  router.on('GET', '/status/history', async (ctx) => {
    const n = Number(new URLSearchParams(ctx.rawQuery).get('page'));
    const pageNo = Number.isSafeInteger(n) && n >= 1 ? n : 1;
    const rows = await monitor.incidents.history(HISTORY_PAGE + 1, (pageNo - 1) * HISTORY_PAGE);
    html(ctx, renderHistoryPage(await input(ctx), rows.slice(0, HISTORY_PAGE), pageNo, rows.length > HISTORY_PAGE));
  });
  router.on('GET', '/status/history.atom', async (ctx) => sendText(ctx, 200, 'application/atom+xml; charset=utf-8', atomFeed(await monitor.snapshot())));
  router.on('GET', '/status/history.rss', async (ctx) => sendText(ctx, 200, 'application/rss+xml; charset=utf-8', rssFeed(await monitor.snapshot())));
}

/** The status site's error pages (for the dispatcher): paths under /status asked for as HTML. */
export function statusErrorPage(monitor: Pick<StatusMonitor, 'page'>): ErrorPage {
  return (ctx, err) => {
    if (!(ctx.path === '/status' || ctx.path.startsWith('/status/')) || !prefersHtml(header(ctx, 'accept'))) return undefined;
    const locale = pickLocale(ctx.rawQuery, header(ctx, 'accept-language'));
    ctx.headers['content-language'] = locale;
    return renderErrorPage({ locale, path: ctx.path, page: monitor.page }, err.status);
  };
}
