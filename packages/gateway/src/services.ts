/**
 * Builds the services behind the routes from the config: the store, counters, identity, rate
 * limiter, billing, usage ledger, admission gates and engines; and the adapters that present them
 * to the request pipeline (`PipelineDeps`). The only file that knows every stage.
 * @module
 */
import type { RedisClient } from './redis-client.js';
import type { Logger } from 'pino';
import { ModelAdmissions } from './admission/index.js';
import { requireAdminKey } from './admin/auth.js';
import { adoptUnnamedCredentials, credentialsFileFor, resolveAdminKey } from './bootstrap.js';
import type { CredentialsFile } from './first-start-credentials.js';
import { journalPathFor } from './config/data-dir.js';
import { registerAdminRoutes } from './admin/routes.js';
import { registerModelHealthRoute } from './admin/model-health.js';
import { registerBillingRoutes } from './billing/routes.js';
import { AuditRecorder, registerOperatorOrganizationRoutes, registerOrganizationApi } from './organization/index.js';
import { createSoftLimitHook, SoftLimitNotifier } from './billing/soft-limit.js';
import { quotaDecisionNotifier } from './billing/quota-decision-mail.js';
import { createMailer, type MailTransport } from './mail/mailer.js';
import { OrgSpendLimits } from './billing/org-spend-limits.js';
import { createSpendAlertHook, SpendAlertNotifier } from './billing/spend-alerts.js';
import type { Clock } from './clock.js';
import type { Config } from './config/types.js';
import type { Router } from './http/router.js';
import { Identity, type Principal } from './identity/index.js';
import { secretSourcesOf } from './identity/server-secret.js';
import { MemoryCounterStore, RateLimiter, RedisCounterStore, type CounterStore } from './limits/index.js';
import { RequestReservations } from './limits/request-reservations.js';
import { SettlementQueue } from './limits/settlements.js';
import { usageOverrunCounter } from './pipeline/inference.js';
import type { PipelineDeps } from './pipeline/types.js';
import type { Metrics } from './status/metrics.js';
import { openStore, type Store } from './store/index.js';
import type { Engine } from './upstream/engine.js';
import { EngineRouter } from './upstream/engine-router.js';
import { createEngines, registerEngineMetrics } from './upstream/engines.js';
import { PromptCounter } from './tokens/prompt-counter.js';
import { CounterRebuilder, LimitSeeds, rebuildSpend, SpendReconciler, startUsageRetention, UsageLedger } from './usage/index.js';
import { workerUsageWriterFor } from './usage/worker-writer.js';
import { StatusMonitor } from './status/monitor.js';
import { probeTargets } from './status/probes.js';
import { registerStatusAdminRoutes } from './status/admin-routes.js';
import { registerStatusMetrics } from './status/status-metrics.js';
import { StatusWebhooks, webhookTargetsFrom } from './status/webhooks.js';
import { ResponseStore } from './responses/store.js';
import { OpenedOnStart } from './opened-on-start.js';
import { RepeatingFailureLog } from './repeating-failure-log.js';
import { lockMemoryCounters } from './limits/memory-counters-lock.js';
import { createConsole, type Console } from './console/index.js';

export interface ServiceDeps {
  clock: Clock;
  env: Record<string, string | undefined>;
  log: Logger;
  redis: RedisClient | undefined;
  fetch?: typeof fetch;
  /** Where first-start keys are saved (default: the data directory; see bootstrap.ts). */
  credentialsFile?: CredentialsFile;
  /** Evaluate the status page on a timer (default true); tests drive `status.tick()`. */
  statusAutoTick?: boolean;
  /** The console's built files (default packages/console/dist). */
  consoleDist?: string;
  /** Sends the e-mails instead of SMTP at smtp.url (which must still be set: it turns mail on). */
  mailTransport?: MailTransport;
}

export interface Services {
  store: Store;
  /** The admin key generated on this (first) start, already saved; undefined otherwise. */
  generatedAdminKey: string | undefined;
  /** The file first-start keys are saved to. */
  credentialsFile: CredentialsFile;
  identity: Identity;
  counters: CounterStore;
  limiter: RateLimiter;
  /** Counter settlements running or retrying in the background. */
  settlements: SettlementQueue;
  /** Soft-limit crossings and their webhook deliveries (`idle()` waits for checks and retries). */
  softLimits: SoftLimitNotifier;
  /** Spend-alert crossings and their deliveries (`idle()` waits for checks and retries). */
  spendAlerts: SpendAlertNotifier;
  /** Rebuilds an organization's counters from the ledger when they were lost. */
  rebuilder: CounterRebuilder;
  /** With Redis: the periodic pass that brings spend counters back to the ledger. */
  reconciler: SpendReconciler | undefined;
  ledger: UsageLedger;
  engines: Map<string, Engine>;
  admissions: ModelAdmissions;
  pipeline: PipelineDeps;
  status: StatusMonitor;
  /** Dependencies /readyz requires (Redis). */
  readinessChecks: Record<string, () => Promise<boolean>>;
  /** Dependencies /readyz shows without requiring them (the database: keys and limits are served from memory through an outage). */
  reportedChecks: Record<string, () => Promise<boolean>>;
  /** The web console's sessions, accounts and files. */
  console: Console;
  registerAdmin(router: Router): void;
  registerMetrics(metrics: Metrics): void;
  close(): Promise<void>;
}

/**
 * Opens and wires everything a gateway needs. When a step fails, what the earlier steps opened is
 * closed before the error is thrown (opened-on-start.ts), so that a failed start ends its process.
 */
export async function buildServices(config: Config, deps: ServiceDeps): Promise<Services> {
  const opened = new OpenedOnStart();
  try {
    return await assembleServices(config, deps, opened);
  } catch (e) {
    await opened.closeAll(deps.log);
    throw e;
  }
}

async function assembleServices(config: Config, deps: ServiceDeps, opened: OpenedOnStart): Promise<Services> {
  const { clock, log, redis } = deps;
  const store = await openStore(config.database.url, { clock, timeouts: { connectMs: config.database.connect_timeout_ms, queryMs: config.database.query_timeout_ms } });
  // A SQLite file's ledger batches are written by a worker thread, off the event loop; it starts
  // now, while the rest starts.
  opened.add(store, (s) => s.close());
  const usageWriter = workerUsageWriterFor(config.database.url);
  if (usageWriter) opened.add(usageWriter, (w) => w.close());
  const prefix = config.redis?.key_prefix ?? 'tollgate:';
  // In memory, the counters are this process's alone: a second gateway on the same SQLite file is refused.
  const countersLock = redis ? null : lockMemoryCounters(config.database.url);
  if (countersLock) {
    opened.add(countersLock, (l) => l.release());
    if (countersLock.takenOver) log.warn({ pid: countersLock.takenOver.pid, host: countersLock.takenOver.host }, 'took over the counters of a process that did not stop cleanly');
  }
  const counters: CounterStore = redis ? new RedisCounterStore(redis, { prefix }) : new MemoryCounterStore(clock);
  const limiter = new RateLimiter(counters, { leaseMs: config.billing.reservation_lease_ms, clock });
  const identity = opened.add(new Identity({ store, config, clock, log, secrets: secretSourcesOf(config), ...(redis ? { redis } : {}) }), (i) => i.close());
  // A secret that is not the one the stored keys were made with stops the start, with the reason.
  await identity.loadSecret();
  const credentialsFile = deps.credentialsFile ?? credentialsFileFor(config);
  await adoptUnnamedCredentials(store, config, credentialsFile);
  const adminKey = await resolveAdminKey(store, config.secrets.admin_key, credentialsFile);
  const spendLimits = new OrgSpendLimits(store, { clock, maxStaleMs: config.database.max_stale_ms, log, alerts: (orgId) => store.spendAlerts.ofOrganization(orgId) });
  // Spend limits changed through any instance reach this one's cache with identity's events.
  identity.onInvalidate((e) => spendLimits.follow(e));
  const ledger = new UsageLedger(store, { clock, log, config: config.usage, journalPath: journalPathFor(config), ...(usageWriter ? { write: (events) => usageWriter.write(events), writeLines: (lines) => usageWriter.writeLines(lines) } : {}) });
  opened.add(ledger, (l) => l.close());
  await ledger.start();
  // With Redis the ledger only checks the shared counters; Redis being down must not stop a start.
  await rebuildSpend(store, counters, clock, { log, authoritative: !redis }).catch((e: unknown) => {
    if (!redis) throw e;
    log.error({ err: e }, 'could not check spend counters against the ledger at start');
  });
  const softLimits = new SoftLimitNotifier(store, { clock, log, webhookUrl: config.billing.soft_limit_webhook_url, fetch: deps.fetch ?? fetch });
  void softLimits.resumePending().catch((e: unknown) => log.warn({ err: e }, 'resuming soft-limit notifications failed'));
  // Spend alerts notify the way the soft limit does: a log event and the same billing webhook.
  const spendAlerts = new SpendAlertNotifier(store, { clock, log, webhookUrl: config.billing.soft_limit_webhook_url, fetch: deps.fetch ?? fetch });
  void spendAlerts.resumePending().catch((e: unknown) => log.warn({ err: e }, 'resuming spend-alert notifications failed'));
  const retention = opened.add(startUsageRetention(store, { retentionDays: config.usage.retention_days, clock, log }), (r) => r.stop());

  const settlements = new SettlementQueue({ clock, log });
  const rebuilder = new CounterRebuilder({
    store,
    counters,
    clock,
    log,
    flushLedger: () => ledger.flush(),
    limitsFor: (orgId, tier, model, keyId, projectId) => identity.limits.resolveLimits(orgId, tier, model, keyId, projectId),
  });
  // A limit set where its scope had none starts from what the scope used (admin path only).
  const limitSeeds = new LimitSeeds({ store, counters, clock, log, flushLedger: () => ledger.flush() });
  const reconciler =
    redis && counters instanceof RedisCounterStore
      ? new SpendReconciler({ store, counters, redis, clock, log, flushLedger: () => ledger.flush(), intervalMs: config.billing.reconcile_interval_ms, graceMs: config.billing.reconcile_grace_ms })
      : undefined;
  if (reconciler) opened.add(reconciler, (r) => r.close()).start();
  // Each reads spend only while there is a soft limit or a spend alert not yet fired this period.
  const softLimitCheck = createSoftLimitHook({
    notifier: softLimits,
    counters,
    clock,
    log,
    softLimitOf: async (orgId) => (await spendLimits.get(orgId)).softLimitPico,
  });
  const spendAlertCheck = createSpendAlertHook({ notifier: spendAlerts, counters, clock, log, alertsOf: async (orgId) => (await spendLimits.get(orgId)).alerts });
  const afterSettle = (orgId: string, projectId?: string) => {
    // Most organizations have neither a soft limit nor an alert: when the cache says so, the checks
    // would read it and stop, so they are not started (two promise chains per request less).
    const known = spendLimits.fresh(orgId);
    if (known !== undefined && known.softLimitPico === null && known.alerts.length === 0) return;
    softLimitCheck(orgId);
    spendAlertCheck(orgId, projectId);
  };
  const responses = new ResponseStore(store, { clock, retentionDays: config.responses.retention_days });
  const responseSweeper = opened.add(responses.startSweeper(log), (s) => s.stop());

  const models = new Map(config.models.map((m) => [m.name, m]));
  // Counts prompts off the event loop when they are long (validation and the simulator).
  const promptCounter = opened.add(new PromptCounter({ eager: true }), (c) => c.close());
  const engines = createEngines(config, { clock, env: deps.env, promptCounter });
  opened.add(engines, async (all) => {
    for (const e of all.values()) await e.close?.();
  });
  const engineRouter = new EngineRouter(engines, models);

  const webhookTargets = webhookTargetsFrom(config, deps.env);
  const status = new StatusMonitor({
    store,
    config,
    clock,
    log,
    redis,
    redisPrefix: prefix,
    probes: probeTargets(config, engines, { clock, env: deps.env, overloadStatus: config.server.overload_status }),
    ...(webhookTargets.length > 0 ? { webhooks: new StatusWebhooks(store, webhookTargets, { clock, log, fetch: deps.fetch ?? fetch }) } : {}),
    autoTick: deps.statusAutoTick ?? true,
  });
  opened.add(status, (s) => s.close());
  await status.start();

  const admissions = opened.add(new ModelAdmissions(config, { clock, ...(redis ? { redis: { client: redis, prefix } } : {}) }), (a) => a.close());
  const reservations = new RequestReservations({
    limiter,
    spendLimits,
    rebuilder,
    settlements,
    afterSettle,
    clock,
    log,
    leaseMs: config.billing.reservation_lease_ms,
    sharedCounters: redis !== undefined,
  });
  const usageOverruns = usageOverrunCounter();
  const mailer = createMailer(config.smtp, { log, transport: deps.mailTransport });
  opened.add(mailer, (m) => m.close());
  const orgDeps = { store, identity, config, clock, log, counters, audit: new AuditRecorder(store, clock), mailer, limitSeeds };
  const consoleService = createConsole({ store, config, clock, identity, org: orgDeps, credentialsFile, log, ...(redis ? { redis } : {}), ...(deps.consoleDist ? { distDir: deps.consoleDist } : {}), env: deps.env, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  // Every /admin/v1 route admits an operator's console session or the admin key.
  const requireAdmin = consoleService.adminCheck((ctx) => requireAdminKey(ctx, adminKey.digest, identity.failures));

  const pipeline: PipelineDeps = {
    config,
    clock,
    log,
    access: identity,
    findModel: (name) => models.get(name),
    promptCounter,
    reservations,
    admissions,
    engines: engineRouter,
    usage: ledger,
    responses,
    responseSaves: new RepeatingFailureLog(log, clock, { job: 'stored-response saves', message: 'could not store the response', level: 'error' }),
    usageOverruns,
    status,
  };

  return {
    store,
    generatedAdminKey: adminKey.generated,
    credentialsFile,
    identity,
    counters,
    limiter,
    settlements,
    softLimits,
    spendAlerts,
    rebuilder,
    reconciler,
    ledger,
    engines,
    admissions,
    pipeline,
    status,
    readinessChecks: redis ? { redis: async () => (await redis.ping()) === 'PONG' } : {},
    reportedChecks: { store: () => store.ping() },
    console: consoleService,
    registerAdmin(router) {
      registerAdminRoutes(router, { store, identity, config, clock, log, adminKeyDigest: adminKey.digest, requireAdmin, audit: orgDeps.audit, limitSeeds });
      registerOrganizationApi(router, { ...orgDeps, sessionCaller: (ctx) => consoleService.auth.orgCaller(ctx) });
      registerOperatorOrganizationRoutes(router, { ...orgDeps, requireAdmin });
      registerBillingRoutes(router, {
        store,
        counters,
        clock,
        config,
        requireAdmin,
        ownerOrgOf: (ctx) => consoleService.auth.ownerOrgOf(ctx),
        onLimitsChanged: (orgId: string) => identity.invalidate({ kind: 'org', orgId }),
        audit: orgDeps.audit,
        notifyDecision: quotaDecisionNotifier({ store, mailer, log }),
      });
      registerStatusAdminRoutes(router, {
        monitor: status,
        config,
        requireAdmin,
      });
      registerModelHealthRoute(router, { config, engines, snapshot: () => status.snapshot(), requireAdmin });
      consoleService.register(router, requireAdmin);
    },
    registerMetrics(metrics) {
      metrics.add(usageOverruns);
      admissions.registerMetrics(metrics);
      registerEngineMetrics(metrics, engines);
      settlements.registerMetrics(metrics);
      registerStatusMetrics(metrics, status);
      reconciler?.registerMetrics(metrics);
      rebuilder.registerMetrics(metrics);
      ledger.registerMetrics(metrics);
    },
    async close() {
      await status.close();
      retention.stop();
      await reconciler?.close();
      responseSweeper.stop();
      await admissions.close();
      for (const e of engines.values()) await e.close?.();
      await settlements.close();
      await ledger.close();
      await usageWriter?.close();
      await softLimits.idle();
      await spendAlerts.idle();
      await identity.close();
      await counters.close();
      countersLock?.release();
      await store.close();
      await promptCounter.close();
      mailer.close();
    },
  };
}

export type { Principal };
