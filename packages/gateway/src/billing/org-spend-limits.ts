/**
 * The request path's view of an organization's spend limits (and its projects'): read from the
 * store once, then served from memory. Every change — the operator's (billing routes, quota
 * approvals) or an owner's (/v1/organization/spend_limit, a project's) — is announced as an
 * identity invalidation of the organization, which every instance applies (`follow`), so it binds
 * at the next request everywhere; the TTL is only a backstop for changes made on another instance
 * when nothing relays the event. Past the TTL an entry is served while it refreshes in the
 * background, up to `maxStaleMs` after it was loaded (store/stale-serving.ts): a database outage
 * does not reach organizations already seen.
 * @module
 */
import { systemClock, type Clock } from '../clock.js';
import { StaleServing } from '../store/stale-serving.js';
import { TtlCache } from '../ttl-cache.js';
import type { Invalidation } from '../identity/invalidation.js';
import { enforcedHardLimit, getOrgLimits, getProjectSpendLimits, ownLimitBinds } from './org-limits.js';
import type { BillingStore } from '../store/billing-tables.js';
import type { SpendAlert } from '../store/index.js';

export interface SpendLimits {
  /**
   * Pico-dollars: requests whose worst-case cost would pass it are refused; null = unlimited. The
   * lower of the operator's approved hard limit and the organization's own spend limit
   * (org-limits.ts `enforcedHardLimit`): one amount, reserved against in one atomic step.
   */
  hardLimitPico: bigint | null;
  /** `hardLimitPico` is the organization's own spend limit, not the operator's approved quota (org-limits.ts `ownLimitBinds`). */
  ownLimitBinds: boolean;
  /** Pico-dollars: spend reaching it fires the soft-limit notification; null = none. */
  softLimitPico: bigint | null;
  /** Project id → its monthly spend limit in pico-dollars (projects without one are absent). */
  projects: ReadonlyMap<string, bigint>;
  /** The spend alerts of the organization and of its projects (they notify; they never refuse). */
  alerts: readonly SpendAlert[];
}

const NONE: SpendLimits = { hardLimitPico: null, ownLimitBinds: false, softLimitPico: null, projects: new Map(), alerts: [] };

export class OrgSpendLimits {
  private readonly cache: TtlCache<string, { limits: SpendLimits; at: number }>;
  private readonly loading = new Map<string, Promise<SpendLimits>>();
  /** Bumped by every invalidation: a load that started before one does not fill the cache. */
  private generation = 0;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly stale: StaleServing;
  private readonly alertsOf: (orgId: string) => Promise<SpendAlert[]>;

  constructor(
    private readonly store: BillingStore,
    opts: {
      clock?: Clock;
      ttlMs?: number;
      maxEntries?: number;
      maxStaleMs?: number;
      log?: ConstructorParameters<typeof StaleServing>[3];
      /** Reads an organization's spend alerts (default: none). */
      alerts?: (orgId: string) => Promise<SpendAlert[]>;
    } = {},
  ) {
    this.alertsOf = opts.alerts ?? (async () => []);
    this.clock = opts.clock ?? systemClock;
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.cache = new TtlCache(this.clock, this.ttlMs, opts.maxEntries ?? 10_000);
    this.stale = new StaleServing(this.clock, Math.max(this.ttlMs, opts.maxStaleMs ?? 0), 'organization spend limits', opts.log);
  }

  /** An unknown or deleted organization has no limits (authentication refuses it first). */
  get(orgId: string): Promise<SpendLimits> {
    const fresh = this.cache.get(orgId);
    if (fresh) return Promise.resolve(fresh.limits);
    const hit = this.cache.peek(orgId);
    if (hit && this.stale.usable(hit.at)) {
      this.stale.refresh(orgId, () => this.shared(orgId));
      return Promise.resolve(hit.limits);
    }
    return this.shared(orgId);
  }

  /** The limits in the cache when they are fresh (no load, no refresh started); else undefined. */
  fresh(orgId: string): SpendLimits | undefined {
    return this.cache.get(orgId)?.limits;
  }

  /** One load per organization at a time, shared by its callers. */
  private shared(orgId: string): Promise<SpendLimits> {
    const pending = this.loading.get(orgId);
    if (pending) return pending;
    const p: Promise<SpendLimits> = this.load(orgId).finally(() => {
      if (this.loading.get(orgId) === p) this.loading.delete(orgId);
    });
    this.loading.set(orgId, p);
    return p;
  }

  invalidate(orgId: string): void {
    this.generation++;
    this.cache.delete(orgId);
    this.loading.delete(orgId);
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
    this.loading.clear();
  }

  /** Applies identity's invalidation events (`Identity.onInvalidate`): limits changed through any instance. */
  follow(e: Invalidation): void {
    if (e.kind === 'org') this.invalidate(e.orgId);
    else if (e.kind === 'all') this.clear();
  }

  private async load(orgId: string): Promise<SpendLimits> {
    const gen = this.generation;
    const [o, projects, alerts] = await Promise.all([getOrgLimits(this.store, orgId), getProjectSpendLimits(this.store, orgId), this.alertsOf(orgId)]);
    const limits = o && !o.deleted ? { hardLimitPico: enforcedHardLimit(o), ownLimitBinds: ownLimitBinds(o), softLimitPico: o.softLimitPico, projects, alerts } : NONE;
    if (gen === this.generation) this.cache.set(orgId, { limits, at: this.clock.now() });
    return limits;
  }
}
