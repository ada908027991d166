/**
 * The billing admin routes behind a real HTTP server on a free port, over a test store (SQLite or
 * PostgreSQL), a memory counter store and a fake clock, with the shared admin key (support/admin.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { registerBillingRoutes } from '../../src/billing/routes.js';
import { FakeClock, ApiError, MemoryCounterStore, type Store } from 'tollgate';
import { header } from '../../src/http/context.js';
import { createDispatcher } from '../../src/http/dispatch.js';
import { Router } from '../../src/http/router.js';
import { ADMIN_KEY, call, type Answer } from '../support/admin.js';
import { openTestStore, type TestDialect } from '../usage/db.js';

export interface BillingServer {
  url: string;
  store: Store;
  counters: MemoryCounterStore;
  clock: FakeClock;
  /** Organizations whose limits changed, in order (the onLimitsChanged calls). */
  limitsChanged: string[];
  /** Calls `path` with the admin key (`key: null`: none). */
  call<T = any>(method: string, path: string, body?: unknown, opts?: { key?: string | null }): Promise<Answer<T>>;
  newOrg(limits?: { hard?: number | null; soft?: number | null }) /* micro-dollars */: Promise<string>;
  close(): Promise<void>;
}

export async function startBillingServer(dialect: TestDialect, start = Date.UTC(2026, 0, 20, 12)): Promise<BillingServer> {
  const clock = new FakeClock(start);
  const t = await openTestStore(dialect, clock);
  const counters = new MemoryCounterStore(clock);
  const limitsChanged: string[] = [];
  const router = new Router();
  registerBillingRoutes(router, {
    store: t.store,
    counters,
    clock,
    requireAdmin: (ctx) => {
      const auth = header(ctx, 'authorization');
      if (!auth) throw new ApiError('missing_admin_key');
      if (auth !== `Bearer ${ADMIN_KEY}`) throw new ApiError('invalid_admin_key', { key: 'sk-***' });
    },
    onLimitsChanged: (orgId) => void limitsChanged.push(orgId),
  });
  const server: Server = createServer(createDispatcher(router, { publicUrl: 'http://gateway.test', trustedProxyHops: 0, log: pino({ level: 'silent' }), clock, draining: () => false }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store: t.store,
    counters,
    clock,
    limitsChanged,
    call: (method, path, body, opts = {}) => call({ url }, method, path, body, opts.key),
    async newOrg(limits = {}) {
      const o = await t.store.organizations.create({ name: 'billing test', tier: 'free' });
      if (limits.hard !== undefined || limits.soft !== undefined) {
        await t.store.db
          .updateTable('organizations')
          // Given in micro-dollars, stored in pico-dollars.
          .set({ hard_limit_pico: limits.hard == null ? null : BigInt(limits.hard) * 1_000_000n, soft_limit_pico: limits.soft == null ? null : BigInt(limits.soft) * 1_000_000n })
          .where('id', '=', o.id)
          .execute();
      }
      return o.id;
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await counters.close();
      await t.close();
    },
  };
}
