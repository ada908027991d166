/**
 * The public status surfaces: Statuspage's v2 JSON under /api/v2, and (html.ts, feeds.ts) the
 * page and its feeds under /status. Unauthenticated GETs, cacheable for a few seconds.
 * @module
 */
import { sendJson, sendText } from '../http/respond.js';
import type { RequestContext } from '../http/context.js';
import type { Router } from '../http/router.js';
import type { StatusMonitor } from './monitor.js';
import { v2, type Snapshot } from './page.js';

const CACHE = { 'cache-control': 'public, max-age=10' };

export function registerStatusRoutes(router: Router, monitor: StatusMonitor, extra: { html?: (ctx: RequestContext, s: Snapshot, monitor: StatusMonitor) => Promise<void> } = {}): void {
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
  void sendText;
  void extra;
}
