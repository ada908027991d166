/**
 * The billing admin API as the operator reaches it: the shared test gateway (support/gateway.ts)
 * on a fake clock, on SQLite or PostgreSQL, with its in-process counter store, plus what the
 * billing tests look at behind it: the store, the counters, and the organizations whose limits
 * the routes announced as changed.
 */
import { FakeClock, type CounterStore, type Store } from 'tollgate';
import { call, type Answer } from '../support/admin.js';
import { startTestGateway } from '../support/gateway.js';
import type { TestDialect } from '../usage/db.js';

export interface BillingServer {
  url: string;
  store: Store;
  counters: CounterStore;
  clock: FakeClock;
  /** Organizations whose limits changed, in order (the identity cache invalidations the routes asked for). */
  limitsChanged: string[];
  /** Calls `path` with the admin key (`key: null`: none). */
  call<T = any>(method: string, path: string, body?: unknown, opts?: { key?: string | null }): Promise<Answer<T>>;
  /** `hard`: the operator's approved limit; `own`: the organization's own spend limit. */
  newOrg(limits?: { hard?: number | null; soft?: number | null; own?: number | null }) /* micro-dollars */: Promise<string>;
  close(): Promise<void>;
}

export async function startBillingServer(dialect: TestDialect, start = Date.UTC(2026, 0, 20, 12)): Promise<BillingServer> {
  const clock = new FakeClock(start);
  // The concurrency tests send hundreds of calls at once: on PostgreSQL they queue for the pool's
  // ten connections, and on a loaded machine longer than the default bound on that wait (1 s),
  // past which the gateway answers a retryable 503 (store/outage.test.ts). They are about
  // deciding once, not about that bound, so the wait here is generous.
  const gw = await startTestGateway({ database: { connect_timeout_ms: 30_000 } }, { clock, database: dialect, statusAutoTick: false });
  const { store, counters, identity } = gw.gateway.services;
  // A limit change reaches every cache as an organization invalidation: record those.
  const limitsChanged: string[] = [];
  const invalidate = identity.invalidate.bind(identity);
  identity.invalidate = (event) => {
    if (event.kind === 'org') limitsChanged.push(event.orgId);
    return invalidate(event);
  };
  return {
    url: gw.url,
    store,
    counters,
    clock,
    limitsChanged,
    call: (method, path, body, opts = {}) => call(gw, method, path, body, opts.key),
    async newOrg(limits = {}) {
      const o = await store.organizations.create({ name: 'billing test', tier: 'free' });
      if (limits.hard !== undefined || limits.soft !== undefined || limits.own !== undefined) {
        // Given in micro-dollars, stored in pico-dollars.
        const pico = (micros: number | null | undefined) => (micros == null ? null : BigInt(micros) * 1_000_000n);
        await store.db
          .updateTable('organizations')
          .set({ hard_limit_pico: pico(limits.hard), soft_limit_pico: pico(limits.soft), spend_limit_pico: pico(limits.own) })
          .where('id', '=', o.id)
          .execute();
      }
      return o.id;
    },
    close: () => gw.close(),
  };
}
