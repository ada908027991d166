/**
 * The status page's engine room. Every instance records what its requests did into the shared
 * signal window; on each evaluation one instance (the leader) turns the window into component
 * statuses with hysteresis, opens, updates and resolves automatic incidents, accrues daily uptime
 * and runs the active probes; every instance then refreshes its view of the page (for error
 * headers and metrics). The page itself is always read from the store, so all instances show
 * one truth.
 *
 * While Redis cannot be reached (no shared window, no leader), every instance evaluates alone
 * from the counts it has not flushed, moving a component only on evidence of its own (and running
 * no probes); the counts are flushed, once, when Redis is back, and the leader takes over. Since
 * several instances may then evaluate at once, every write of an evaluation is conditional on
 * what it read: a component moves only if nobody moved it meanwhile, and at most once per
 * evaluation step (so hysteresis still counts evaluation intervals, not evaluators); the instance
 * that changed its status opens, updates or resolves its automatic incident in the same
 * transaction, so an incident opens once and a transition is recorded once; uptime is accrued
 * once per span.
 * @module
 */
import type { Kysely } from 'kysely';
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import type { Config } from '../config/types.js';
import { componentDefs, modelKey, syncComponents, type ComponentDef } from './components.js';
import type { StatusConfig } from './config.js';
import { detectorText, stateWords } from './detector-texts.js';
import { assess, cannotRecover, hasEvidence, step, type Assessment, type HysteresisState } from './detect.js';
import { dueMaintenanceSteps, IncidentRepo, isUnresolved, MAINTENANCE_STEP_BODY, type AffectedComponent, type IncidentPatch, type IncidentRecord, type NewIncident } from './incidents.js';
import { RedisLeadership, soleLeader, type Leadership } from './leader.js';
import { platformOutcome, type PlatformOutcome, type RequestObservation } from './outcome.js';
import { incidentJson, takeSnapshot, type PageInfo, type Snapshot } from './page.js';
import { EMPTY, MemorySignalBackend, RedisSignalBackend, SignalWindow, type SignalCounts } from './signals.js';
import { statusDb, type StatusStore, type StatusTables } from './tables.js';
import { accrue, pruneDays } from './uptime.js';
import type { StatusWebhooks } from './webhooks.js';
import { rank, type ComponentStatus } from './vocabulary.js';

/** One deployment to probe: `call` sends a one-token request and throws when it fails. */
export interface ProbeTarget {
  model: string;
  deployment: string;
  call(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

export interface StatusMonitorDeps {
  store: StatusStore;
  config: Pick<Config, 'models' | 'status' | 'server'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  redis?: RedisClient | undefined;
  redisPrefix?: string;
  probes?: readonly ProbeTarget[];
  webhooks?: StatusWebhooks;
  /** Evaluate on a timer (default true); tests call `tick()` themselves. */
  autoTick?: boolean;
}

export interface OpenIncident {
  id: string;
  name: string;
  status: string;
  url: string;
}

/** Whose signals an evaluation reads: the shared window (the leader), or this instance's own (Redis unreachable). */
type Source = 'shared' | 'local';

/** What an automatic incident went through, for the webhooks. */
interface IncidentEvent {
  event: string;
  incident: IncidentRecord;
}

export class StatusMonitor {
  readonly defs: ComponentDef[];
  readonly incidents: IncidentRepo;
  readonly signals: SignalWindow;
  readonly page: PageInfo;
  private readonly cfg: StatusConfig;
  private readonly leadership: Leadership;
  private readonly listeners: Array<(o: RequestObservation, outcome: PlatformOutcome) => void> = [];
  /** `modelKey` by model name: the request path names the same few models every time. */
  private readonly modelKeys = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private lastProbeAt = -Infinity;
  private probing: Promise<void> | undefined;
  private last: Snapshot | undefined;
  private openByModel = new Map<string, OpenIncident>();
  /** Whether the last tick evaluated alone, Redis being unreachable (logged when it changes). */
  private alone = false;
  /** The periodic jobs' failures, logged by state changes (an outage of Redis or the database fails them every tick). */
  private readonly failures: Record<'signals' | 'leadership' | 'evaluation' | 'probeSignals', RepeatingFailureLog>;
  /** Each probe target's failures, by model and deployment. */
  private readonly probeFailures = new Map<ProbeTarget, RepeatingFailureLog>();

  constructor(private readonly d: StatusMonitorDeps) {
    this.cfg = d.config.status;
    this.defs = componentDefs(d.config);
    this.incidents = new IncidentRepo(d.store, d.clock);
    const now = () => d.clock.now();
    this.signals = new SignalWindow(d.redis ? new RedisSignalBackend(d.redis, d.redisPrefix ?? 'tollgate:') : new MemorySignalBackend(now), now, this.cfg.window_ms);
    this.leadership = d.redis ? new RedisLeadership(d.redis, `${d.redisPrefix ?? 'tollgate:'}status:leader`) : soleLeader;
    const publicUrl = d.config.server.public_url.replace(/\/+$/, '');
    this.page = { name: this.cfg.page.name, url: (this.cfg.page.url ?? `${publicUrl}/status`).replace(/\/+$/, ''), time_zone: this.cfg.page.time_zone };
    const job = (name: string, message: string, fields?: Record<string, unknown>) => new RepeatingFailureLog(d.log, d.clock, { job: name, message, ...(fields ? { fields } : {}) });
    this.failures = {
      signals: job('status signals flush', 'status signals: flush failed'),
      leadership: job('status leadership check', 'status evaluation: leadership check failed'),
      evaluation: job('status evaluation', 'status evaluation failed'),
      probeSignals: job('status probes flush', 'status probes: flush failed'),
    };
    for (const t of d.probes ?? []) this.probeFailures.set(t, job(`status probe of ${t.model}`, 'status probe failed', { model: t.model, deployment: t.deployment }));
  }

  async start(): Promise<void> {
    await syncComponents(this.d.store, this.defs, this.d.clock);
    await this.refresh(this.d.clock.now()).catch((e: unknown) => this.d.log.warn({ err: e }, 'status page: first read failed'));
    if (this.d.autoTick !== false) {
      // A failed tick is logged by the tick itself (by state changes, not once per tick).
      this.timer = setInterval(() => void this.tick().catch(() => undefined), this.cfg.evaluate_interval_ms);
      this.timer.unref();
    }
  }

  /** Called by the request path for every request it finished. Never throws, never waits. */
  observe(o: RequestObservation): void {
    const outcome = platformOutcome(o.status, o.errorCode);
    if (outcome !== 'excluded') {
      if (o.model !== null) {
        const slow = outcome === 'ok' && o.firstByteMs !== null && o.firstByteMs > this.cfg.first_byte.slow_ms ? 1 : 0;
        this.signals.count(this.modelKeyOf(o.model), 1, outcome === 'failed' ? 1 : 0, slow);
        // The API itself answered: a model's failure is the model's, not the API's.
        this.signals.count('api', 1, 0, 0);
      } else {
        this.signals.count('api', 1, outcome === 'failed' ? 1 : 0, 0);
      }
    }
    for (const l of this.listeners) l(o, outcome);
  }

  private modelKeyOf(model: string): string {
    let key = this.modelKeys.get(model);
    if (key === undefined) {
      if (this.modelKeys.size >= 10_000) this.modelKeys.clear();
      this.modelKeys.set(model, (key = modelKey(model)));
    }
    return key;
  }

  /** Admin API answers: a 5xx counts against the Admin API component. */
  observeAdmin(status: number): void {
    if (status >= 500) this.signals.add('admin', { total: 1, failed: 1 });
    else if (status < 400) this.signals.add('admin', { total: 1 });
  }

  /** Hears every observed request, with the outcome `platformOutcome` gave it. */
  onObservation(l: (o: RequestObservation, outcome: PlatformOutcome) => void): void {
    this.listeners.push(l);
  }

  /** The unresolved incident naming this model, as of the last evaluation. */
  openIncidentFor(model: string): OpenIncident | undefined {
    return this.openByModel.get(model);
  }

  /** The page as of the last evaluation (metrics read it; may be undefined before the first). */
  lastSnapshot(): Snapshot | undefined {
    return this.last;
  }

  snapshot(now = this.d.clock.now()): Promise<Snapshot> {
    return takeSnapshot(this.d.store, this.incidents, this.defs, this.page, now);
  }

  /**
   * One evaluation: flush, lead if possible, evaluate, refresh. Concurrent calls share one run.
   * Rejects when the evaluation or the refresh fails (logged here by state changes).
   */
  tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    const now = this.d.clock.now();
    await this.failures.signals.attempt(() => this.signals.flush());
    // Without an answer from Redis there is no leader to wait for: evaluate from what this instance saw.
    let role: 'leader' | 'follower' | 'alone';
    try {
      role = (await this.leadership.acquire(this.cfg.evaluate_interval_ms * 3)) ? 'leader' : 'follower';
      this.failures.leadership.ok();
    } catch (e) {
      this.failures.leadership.failed(e);
      role = 'alone';
    }
    if ((role === 'alone') !== this.alone) {
      this.alone = role === 'alone';
      this.d.log.info(
        this.alone
          ? 'status evaluation: Redis unreachable; this instance evaluates the page from its own signals'
          : 'status evaluation: Redis reachable; the page is evaluated from the shared signals again',
      );
    }
    try {
      if (role !== 'follower') {
        await this.evaluate(now, role === 'alone' ? 'local' : 'shared');
        await this.advanceMaintenances(now);
      }
      // Probes run once per fleet: not from every instance evaluating alone.
      if (role === 'leader') this.maybeProbe(now);
      await this.refresh(now);
    } catch (e) {
      this.failures.evaluation.failed(e);
      throw e;
    }
    this.failures.evaluation.ok();
  }

  private async evaluate(now: number, source: Source): Promise<void> {
    const db = statusDb(this.d.store);
    const rows = new Map((await db.selectFrom('status_components').selectAll().execute()).map((r) => [r.id, r]));
    const watched = this.defs.filter((d) => !d.children && d.key !== 'console');
    const probeSpan = this.cfg.probes.interval_ms * this.cfg.probes.failures_for_outage + this.signals.bucketMs;
    const liveKeys = watched.map((d) => d.key);
    const probeKeys = watched.filter((d) => d.model).map((d) => d.key);
    const evaluationStep = Math.floor(now / this.cfg.evaluate_interval_ms);
    const live = source === 'shared' ? await this.signals.read(liveKeys) : this.signals.readLocal(liveKeys);
    const probes = source === 'shared' ? await this.signals.read(probeKeys, probeSpan) : this.signals.readLocal(probeKeys, probeSpan);
    for (const def of watched) {
      const row = rows.get(def.id);
      if (!row) continue;
      const counts = live.get(def.key) ?? EMPTY;
      const probed = probes.get(def.key) ?? EMPTY;
      // Alone, too little traffic is no evidence either way: leave the component to instances that saw some.
      if (source === 'local' && !hasEvidence(counts, probed, this.cfg)) continue;
      // One evaluation step moves a component once, however many instances evaluate it.
      const movedIn = row.pending_step === null ? null : Number(row.pending_step);
      if (movedIn !== null && movedIn >= evaluationStep) continue;
      const a = assess(counts, probed, this.cfg);
      const cur: HysteresisState = { status: row.status as ComponentStatus, pending_status: row.pending_status as ComponentStatus | null, pending_count: row.pending_count };
      // Better only on evidence: a window with no traffic (or a few failing requests) says nothing about recovery.
      if (rank(a.status) < rank(cur.status) && cannotRecover(counts, probed, this.cfg)) continue;
      const next = step(cur, a.status, this.cfg.hysteresis);
      if (next.status === cur.status && next.pending_status === cur.pending_status && next.pending_count === cur.pending_count) continue;
      const moved = await this.transition(def, { ...cur, step: movedIn }, { ...next, step: evaluationStep }, a, counts, now);
      if (!moved) continue;
      if (next.status !== cur.status) this.d.log.info({ component: def.name, from: cur.status, to: next.status, figures: a.figures, ...(source === 'local' ? { alone: true } : {}) }, 'status: component changed');
      if (moved !== true) await this.notify(moved.event, moved.incident);
    }
    await this.accrueUptime(now);
  }

  /**
   * Moves a component from `cur` to `next` (with the evaluation step it moved in) if nobody moved
   * it since it was read, and when its status changes, acts on its automatic incident in the same
   * transaction. The conditional update is the lock: on PostgreSQL a second evaluator's update of
   * the row waits for this transaction and then finds the row changed; on SQLite the write lock
   * orders them the same way. Returns false when another evaluator got there first, true when the
   * row moved, or what happened to the incident.
   */
  private transition(def: ComponentDef, cur: HysteresisState & { step: number | null }, next: HysteresisState & { step: number }, a: Assessment, counts: SignalCounts, now: number): Promise<boolean | IncidentEvent> {
    const changed = next.status !== cur.status;
    return statusDb(this.d.store)
      .transaction()
      .execute(async (tx) => {
        const r = await tx
          .updateTable('status_components')
          .set({ status: next.status, pending_status: next.pending_status, pending_count: next.pending_count, pending_step: next.step, ...(changed ? { updated_at: now, reason: a.figures } : {}) })
          .where('id', '=', def.id)
          .where('status', '=', cur.status)
          .where('pending_status', cur.pending_status === null ? 'is' : '=', cur.pending_status)
          .where('pending_count', '=', cur.pending_count)
          .where('pending_step', cur.step === null ? 'is' : '=', cur.step)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        if (!changed) return true;
        return (await this.autoIncident(tx, def, cur.status, next.status, a, counts)) ?? true;
      });
  }

  /**
   * Opens, updates or resolves the automatic incident of a component that changed status, inside
   * the transaction that changed it. An open automatic incident of the component is always the
   * one updated: a second is never opened beside it.
   */
  private async autoIncident(tx: Kysely<StatusTables>, def: ComponentDef, from: ComponentStatus, to: ComponentStatus, a: Assessment, counts: SignalCounts): Promise<IncidentEvent | null> {
    const incidents = this.incidents.within(tx);
    const affected: AffectedComponent[] = [{ code: def.id, name: def.name, old_status: from, new_status: to }];
    // An incident an operator resolved meanwhile is passed over (the change declines it once locked): the next open one, or none.
    const passed = new Set<string>();
    for (let open = await incidents.openAutoFor(def.id); open && !passed.has(open.id); open = await incidents.openAutoFor(def.id)) {
      passed.add(open.id);
      if (to === 'operational') {
        const body = counts.total > 0 ? detectorText('recoveredWithFigures', { c: def.name, pct: Math.round((counts.failed / counts.total) * 100), failed: counts.failed, total: counts.total }) : detectorText('recovered', { c: def.name });
        const resolved = await incidents.update(open.id, (i) => (isUnresolved(i) ? { status: 'resolved', body, affected } : null));
        if (resolved) return { event: 'incident.resolved', incident: resolved };
      } else {
        const updated = await incidents.update(open.id, (i) => (isUnresolved(i) ? { body: detectorText('changed', { c: def.name, state: stateWords(to), figures: a.figures ?? '' }), components: { ...i.components, [def.id]: to }, affected } : null));
        if (updated) return { event: 'incident.updated', incident: updated };
      }
    }
    if (to === 'operational') return null;
    const name = detectorText(a.cause === 'latency' ? 'nameLatency' : a.cause === 'probes' ? 'nameProbes' : 'nameErrors', { c: def.name });
    const created = await incidents.create({ kind: 'incident', name, status: 'investigating', body: detectorText('opened', { c: def.name, state: stateWords(to), figures: a.figures ?? '' }), components: { [def.id]: to }, affected, auto_component_id: def.id });
    return { event: 'incident.created', incident: created };
  }

  /**
   * Records the steps that maintenance windows have come to by `now` (`dueMaintenanceSteps`), as
   * Statuspage does when a maintenance starts and ends on its schedule: each is an update dated at
   * its boundary, listing the components that changed status on the page then. The change re-reads
   * the maintenance once locked and declines a step already recorded, so of evaluators doing this
   * at once (instances evaluating alone), one records it; an operator's status wins the same way.
   */
  private async advanceMaintenances(now: number): Promise<void> {
    const open = (await this.incidents.open()).filter((i) => i.kind === 'maintenance');
    for (const m of open) {
      for (const step of dueMaintenanceSteps(m, now)) {
        const affected = await this.affectedAt(m, step.at);
        const moved = await this.incidents.update(m.id, (cur) => {
          const next = dueMaintenanceSteps(cur, now)[0];
          return next?.status === step.status ? { status: next.status, body: MAINTENANCE_STEP_BODY[next.status], affected, at: next.at } : null;
        });
        if (!moved) break;
        this.d.log.info({ maintenance: m.id, status: step.status }, 'status: maintenance window step recorded');
        await this.notify('maintenance.updated', moved);
      }
    }
  }

  /** The components of a maintenance on the page and how their status changed at `at` (null: it names none shown). */
  private async affectedAt(m: IncidentRecord, at: number): Promise<AffectedComponent[] | null> {
    const [before, after] = await Promise.all([this.snapshot(at - 1), this.snapshot(at)]);
    const list = Object.keys(m.components).flatMap((id) => {
      const old = before.components.find((c) => c.def.id === id);
      const cur = after.components.find((c) => c.def.id === id);
      return old && cur ? [{ code: id, name: cur.def.name, old_status: old.status, new_status: cur.status }] : [];
    });
    return list.length > 0 ? list : null;
  }

  /**
   * Adds the time since each component's `accrued_until` to its days. Moving `accrued_until` is
   * conditional on the value read, in the transaction that accrues: of evaluators accruing the
   * same span at once, one does.
   */
  private async accrueUptime(now: number): Promise<void> {
    const db = statusDb(this.d.store);
    const snap = await this.snapshot(now);
    const rows = new Map((await db.selectFrom('status_components').select(['id', 'accrued_until']).execute()).map((r) => [r.id, r.accrued_until]));
    const maxGap = this.cfg.evaluate_interval_ms * 3;
    for (const c of snap.components) {
      const since = rows.get(c.def.id);
      if (since === undefined) continue;
      const from = since === null ? null : Number(since);
      // Another evaluator has accrued up to now already.
      if (from !== null && from >= now) continue;
      await db.transaction().execute(async (tx) => {
        const r = await tx
          .updateTable('status_components')
          .set({ accrued_until: now })
          .where('id', '=', c.def.id)
          .where('accrued_until', from === null ? 'is' : '=', from)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return;
        // A gap longer than a few evaluations means nobody was watching: no data, not "up".
        if (from !== null && now - from <= maxGap) await accrue({ db: tx, dialect: this.d.store.dialect }, c.def.id, from, now, c.status);
      });
    }
    await pruneDays(this.d.store, now, this.cfg.history_days + 1);
  }

  private maybeProbe(now: number): void {
    const targets = this.d.probes ?? [];
    if (targets.length === 0 || this.probing || now - this.lastProbeAt < this.cfg.probes.interval_ms) return;
    this.lastProbeAt = now;
    this.probing = Promise.all(
      targets.map(async (t) => {
        const ok = await this.probeFailures.get(t)!.attempt(() => t.call(AbortSignal.timeout(this.cfg.probes.timeout_ms)));
        this.signals.add(modelKey(t.model), { probes: 1, probe_failed: ok ? 0 : 1 });
      }),
    )
      .then(async () => {
        await this.failures.probeSignals.attempt(() => this.signals.flush());
      })
      .finally(() => {
        this.probing = undefined;
      });
  }

  /** Waits for probes started by the last evaluation (tests). */
  async probesDone(): Promise<void> {
    await this.probing;
  }

  /** Re-reads the page into this instance's view (open incidents for error headers, metrics). */
  async refresh(now = this.d.clock.now()): Promise<void> {
    const snap = await this.snapshot(now);
    const open = new Map<string, OpenIncident>();
    const models = new Map(this.defs.filter((d) => d.model).map((d) => [d.id, d.model!]));
    for (const i of snap.incidents) {
      if (!['investigating', 'identified', 'monitoring'].includes(i.status)) continue;
      for (const id of Object.keys(i.components)) {
        const m = models.get(id);
        if (m && !open.has(m)) open.set(m, { id: i.id, name: i.name, status: i.status, url: `${this.page.url}/incidents/${i.id}` });
      }
    }
    this.openByModel = open;
    this.last = snap;
  }

  // ----- operator actions (admin API, CLI) -----

  async createIncident(n: NewIncident): Promise<IncidentRecord> {
    const i = await this.incidents.create(n);
    await this.notify(n.kind === 'maintenance' ? 'maintenance.created' : 'incident.created', i);
    await this.refresh(this.d.clock.now());
    return i;
  }

  async updateIncident(id: string, p: IncidentPatch): Promise<IncidentRecord | null> {
    const i = await this.incidents.update(id, p);
    if (i) {
      await this.notify(i.kind === 'maintenance' ? 'maintenance.updated' : i.status === 'resolved' ? 'incident.resolved' : 'incident.updated', i);
      await this.refresh(this.d.clock.now());
    }
    return i;
  }

  async postmortem(id: string, body: string): Promise<IncidentRecord | null> {
    const i = await this.incidents.postmortem(id, body);
    if (i) {
      await this.notify('incident.postmortem', i);
      await this.refresh(this.d.clock.now());
    }
    return i;
  }

  private async notify(event: string, i: IncidentRecord): Promise<void> {
    if (!this.d.webhooks) return;
    try {
      const snap = await this.snapshot();
      const incident = incidentJson(snap, i);
      await this.d.webhooks.send(event, {
        meta: { unsubscribe: null, documentation: `${this.page.url}` },
        page: { id: snap.page.id, status_indicator: snap.indicator, status_description: snap.description },
        ...(i.kind === 'maintenance' ? { scheduled_maintenance: incident } : { incident }),
      });
    } catch (e) {
      this.d.log.warn({ err: e, incident: i.id }, 'status webhook could not be queued');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    await this.probing;
    await this.signals.flush().catch(() => undefined);
    await this.leadership.release().catch(() => undefined);
    await this.d.webhooks?.idle();
    for (const p of this.d.probes ?? []) await p.close?.();
  }
}
