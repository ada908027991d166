import { adminKeyDigest } from '../../src/admin/auth.js';
/**
 * A small real HTTP server for identity tests, standing in for the full gateway: the admin API
 * plus POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models routes that run only
 * stages 2–3 (authenticate, requireScope, requireModel) and answer minimal valid bodies. The admin
 * key and the tenants (`newTenant`) are the shared ones of support/admin.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { registerAdminRoutes } from '../../src/admin/routes.js';
import { AuditRecorder } from '../../src/organization/audit.js';
import { FakeClock, parseConfig, type Config, ApiError, type Principal, openStore, type Store } from 'tollgate';
import { readJsonBody } from '../../src/http/body.js';
import { createContext, type RequestContext } from '../../src/http/context.js';
import { sendError, sendJson } from '../../src/http/respond.js';
import { Router } from '../../src/http/router.js';
import { Identity } from '../../src/identity/index.js';
import { ADMIN_KEY } from '../support/admin.js';

export interface HarnessOptions {
  /** Database URL; default an in-memory SQLite database. */
  dbUrl?: string;
  /** An already open store (several harnesses sharing one database = several instances). */
  store?: Store;
  /** Extra config document fields (merged over the defaults below). */
  config?: Record<string, unknown>;
  redis?: Redis;
  clock?: FakeClock;
}

export interface Harness {
  url: string;
  /** `${url}/v1`, for the openai SDK's baseURL. */
  baseURL: string;
  store: Store;
  identity: Identity;
  config: Config;
  clock: FakeClock;
  /** Everything the harness's pino logger wrote. */
  logs: string[];
  /** Requests that reached the server, per `METHOD path`. */
  hits: Map<string, number>;
  /** When set, /v1 routes wait on it after authorization (to hold requests in flight). */
  hold: Promise<void> | undefined;
  /** Principals of /v1 requests that were admitted (reached the hold). */
  admitted: number;
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? new FakeClock();
  const config = parseConfig(
    { auth: { failed_attempts_per_minute: 1000, cache_ttl_ms: 60_000 }, ...opts.config },
    // One key-hashing secret for every harness: instances sharing a store must agree on it.
    { TOLLGATE_ADMIN_KEY: ADMIN_KEY, TOLLGATE_PUBLIC_URL: 'http://tollgate.test', TOLLGATE_SECRET: 'identity-harness-secret-0123456789' },
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const log: Logger = pino({ level: 'trace' }, sink);
  const ownStore = !opts.store;
  const store = opts.store ?? (await openStore(opts.dbUrl ?? 'sqlite::memory:', { clock }));
  const identity = new Identity({ store, config, clock, redis: opts.redis, log });
  await identity.ready();

  const router = new Router();
  registerAdminRoutes(router, { store, identity, config, clock, log, adminKeyDigest: adminKeyDigest(config.secrets.admin_key, undefined), audit: new AuditRecorder(store, clock) });
  const h: Harness = {
    url: '',
    baseURL: '',
    store,
    identity,
    config,
    clock,
    logs,
    hits: new Map(),
    hold: undefined,
    admitted: 0,
    close: async () => {},
  };

  const authorize = async (ctx: RequestContext): Promise<Principal> => {
    const p = await identity.authenticate(ctx);
    identity.requireScope(p, ctx.method, ctx.path);
    return p;
  };
  const held = async () => {
    h.admitted++;
    if (h.hold) await h.hold;
  };

  router.on('POST', '/v1/chat/completions', async (ctx) => {
    const p = await authorize(ctx);
    const body = (await readJsonBody(ctx, config.server.max_body_bytes)) as { model?: unknown };
    const model = String(body.model);
    identity.requireModel(p, model);
    await held();
    sendJson(ctx, 200, {
      id: `chatcmpl-${ctx.id.slice(4)}`,
      object: 'chat.completion',
      created: Math.floor(clock.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
  router.on('POST', '/v1/embeddings', async (ctx) => {
    const p = await authorize(ctx);
    const body = (await readJsonBody(ctx, config.server.max_body_bytes)) as { model?: unknown };
    identity.requireModel(p, String(body.model));
    await held();
    sendJson(ctx, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }], model: String(body.model), usage: { prompt_tokens: 1, total_tokens: 1 } });
  });
  router.on('GET', '/v1/models', async (ctx) => {
    const p = await authorize(ctx);
    await held();
    const data = config.models.filter((m) => p.allowedModels === null || p.allowedModels.has(m.name)).map((m) => ({ id: m.name, object: 'model', created: m.created, owned_by: m.owned_by }));
    sendJson(ctx, 200, { object: 'list', data });
  });

  const server: Server = createServer((req, res) => {
    const ctx = createContext(req, res, 0, clock);
    const k = `${ctx.method} ${ctx.path}`;
    h.hits.set(k, (h.hits.get(k) ?? 0) + 1);
    const m = router.match(ctx.method, ctx.path);
    if (m.kind !== 'found') return sendError(ctx, new ApiError('invalid_url', { method: ctx.method, path: ctx.path }), config.server.public_url);
    ctx.params = m.params;
    Promise.resolve()
      .then(() => m.handler(ctx))
      .catch((e: unknown) => {
        if (e instanceof ApiError) return sendError(ctx, e, config.server.public_url);
        log.error({ err: e }, 'unexpected error');
        sendError(ctx, new ApiError('server_error'), config.server.public_url);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  h.url = `http://127.0.0.1:${port}`;
  h.baseURL = `${h.url}/v1`;
  h.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await identity.close();
    if (ownStore) await store.close();
  };
  return h;
}

/** A promise plus the function that resolves it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
