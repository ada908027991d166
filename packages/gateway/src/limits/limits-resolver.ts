import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { LimitOverride, Store } from '../store/index.js';
import { keyLimits, orgLimits, type ResolvedLimits } from './limit-layers.js';
import { StaleServing } from '../store/stale-serving.js';
import { TtlCache } from '../ttl-cache.js';

export interface Limits {
  org: ResolvedLimits;
  /** The project's own limits (set equal to or below the organization's); absent when it has none. */
  project?: ResolvedLimits;
  key?: ResolvedLimits;
}

interface Snapshot {
  rows: ReadonlyMap<string, LimitOverride>;
  loadedAt: number;
  /** Results already computed from these rows; made on first use (a key without rows never needs one). */
  memo: Map<string, ResolvedLimits | undefined> | undefined;
  /** A project's organization: its invalidation drops the project's rows too. */
  orgId: string | undefined;
}

const MAX_MEMO = 256;
/**
 * Most keys and projects have no rows of their own: their snapshots share this empty map (two
 * maps per cached key were about 370 of its 490 bytes).
 */
const EMPTY_ROWS: ReadonlyMap<string, LimitOverride> = new Map();
const NO_ROWS: Snapshot = snapshot(EMPTY_ROWS, Infinity);

/** A snapshot of rows read now. */
function snapshot(rows: ReadonlyMap<string, LimitOverride>, loadedAt: number, orgId?: string): Snapshot {
  return { rows: rows.size === 0 ? EMPTY_ROWS : rows, loadedAt, memo: undefined, orgId };
}

/** A project's or a key's own limits for a model (memoized on its snapshot); undefined when it has none. */
function own(s: Snapshot, model: string): ResolvedLimits | undefined {
  if (s.rows.size === 0) return undefined;
  const memo = (s.memo ??= new Map());
  if (!memo.has(model)) memo.set(model, keyLimits(model, s.rows));
  return memo.get(model);
}

/**
 * Effective rate limits for (organization, tier, model, project, key), from the configured tiers
 * and the override rows. The rows of an organization, a project and a key are read once
 * (authentication prefetches them with the key) and kept in memory; admin changes invalidate them
 * as events, like the identity cache (a project's rows go with its organization's). With
 * everything cached, `resolveLimits` answers synchronously.
 */
export class LimitsResolver {
  private readonly orgs: TtlCache<string, Snapshot>;
  private readonly keys: TtlCache<string, Snapshot>;
  private readonly projects: TtlCache<string, Snapshot>;
  /** Bumped by every invalidation: a load that started before one does not fill the cache. */
  private generation = 0;
  /** Store reads in flight, by `org\n<id>` / `key\n<id>` / `project\n<id>`, with the generation they started in. */
  private readonly reading = new Map<string, { gen: number; rows: Promise<ReadonlyMap<string, LimitOverride>> }>();

  constructor(
    private readonly store: Pick<Store, 'rateLimits'>,
    private readonly config: Pick<Config, 'tiers' | 'default_tier'>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    maxEntries: { orgs?: number; keys?: number; projects?: number } = {},
    /** Past the TTL, rows are served (and refreshed in the background) for up to this long. */
    maxStaleMs = 0,
    log?: ConstructorParameters<typeof StaleServing>[3],
  ) {
    this.orgs = new TtlCache(clock, ttlMs, maxEntries.orgs ?? 10_000);
    this.keys = new TtlCache(clock, ttlMs, maxEntries.keys ?? 10_000);
    this.projects = new TtlCache(clock, ttlMs, maxEntries.projects ?? 10_000);
    this.stale = new StaleServing(clock, Math.max(ttlMs, maxStaleMs), 'rate-limit overrides', log);
  }

  private readonly stale: StaleServing;

  /** Entries held now (of any age), per cache. */
  get sizes(): { orgs: number; keys: number; projects: number } {
    return { orgs: this.orgs.size, keys: this.keys.size, projects: this.projects.size };
  }

  resolveLimits(orgId: string, tier: string, model: string, keyId?: string, projectId?: string): Limits | Promise<Limits> {
    const org = this.orgs.get(orgId);
    const key = keyId === undefined ? NO_ROWS : this.keys.get(keyId);
    const project = projectId === undefined ? NO_ROWS : this.projects.get(projectId);
    if (org && key && project) return this.compute(org, project, key, tier, model);
    // Loaded before but past the TTL: serve it now, refresh in the background (database outages).
    const staleOrg = org ?? this.usableStale(this.orgs, orgId);
    const staleKey = key ?? (keyId === undefined ? NO_ROWS : this.usableStale(this.keys, keyId));
    const staleProject = project ?? (projectId === undefined ? NO_ROWS : this.usableStale(this.projects, projectId));
    if (staleOrg && staleKey && staleProject) {
      this.stale.refresh(`${orgId}\n${keyId ?? ''}\n${projectId ?? ''}`, () => this.load(orgId, keyId, projectId));
      return this.compute(staleOrg, staleProject, staleKey, tier, model);
    }
    return this.load(orgId, keyId, projectId).then(([o, k, p]) => this.compute(o, p, k, tier, model));
  }

  private usableStale(map: TtlCache<string, Snapshot>, id: string): Snapshot | undefined {
    const s = map.peek(id);
    return s && this.stale.usable(s.loadedAt) ? s : undefined;
  }

  /** Reads the rows of an organization, a key and a project that are not cached yet. */
  async prefetch(orgId: string, keyId?: string, projectId?: string): Promise<void> {
    await this.load(orgId, keyId, projectId);
  }

  invalidateOrg(orgId: string): void {
    this.generation++;
    this.orgs.delete(orgId);
    this.projects.deleteWhere((s) => s.orgId === orgId);
  }

  invalidateKey(keyId: string): void {
    this.generation++;
    this.keys.delete(keyId);
  }

  clear(): void {
    this.generation++;
    this.orgs.clear();
    this.keys.clear();
    this.projects.clear();
  }

  /**
   * One store read per cold organization or key however many requests ask at once: callers join
   * a read in flight, unless an invalidation happened since it started (then they read anew, so
   * no one is answered with rows from before a change).
   */
  private readOnce(id: string, gen: number, read: () => Promise<ReadonlyMap<string, LimitOverride>>): Promise<ReadonlyMap<string, LimitOverride>> {
    const running = this.reading.get(id);
    if (running && running.gen === gen) return running.rows;
    const rows = read();
    const entry = { gen, rows };
    this.reading.set(id, entry);
    const done = () => {
      if (this.reading.get(id) === entry) this.reading.delete(id);
    };
    rows.then(done, done);
    return rows;
  }

  private async load(orgId: string, keyId: string | undefined, projectId?: string): Promise<[Snapshot, Snapshot, Snapshot]> {
    const gen = this.generation;
    const org = this.orgs.get(orgId);
    const key = keyId === undefined ? NO_ROWS : this.keys.get(keyId);
    const project = projectId === undefined ? NO_ROWS : this.projects.get(projectId);
    const [orgRows, keyRows, projectRows] = await Promise.all([
      org ? undefined : this.readOnce(`org\n${orgId}`, gen, () => this.store.rateLimits.orgOverrides(orgId)),
      key || keyId === undefined ? undefined : this.readOnce(`key\n${keyId}`, gen, () => this.store.rateLimits.keyLimits(keyId)),
      project || projectId === undefined ? undefined : this.readOnce(`project\n${projectId}`, gen, () => this.store.rateLimits.projectLimits(projectId)),
    ]);
    const now = this.clock.now();
    const o = org ?? snapshot(orgRows!, now);
    const k = key ?? snapshot(keyRows!, now);
    const p = project ?? snapshot(projectRows!, now, orgId);
    if (gen === this.generation && this.ttlMs > 0) {
      if (!org) this.orgs.set(orgId, o);
      if (!key && keyId !== undefined) this.keys.set(keyId, k);
      if (!project && projectId !== undefined) this.projects.set(projectId, p);
    }
    return [o, k, p];
  }

  private compute(org: Snapshot, project: Snapshot, key: Snapshot, tier: string, model: string): Limits {
    // Bounded even if callers pass names that are not configured models.
    for (const s of [org, project, key]) if (s.memo !== undefined && s.memo.size > MAX_MEMO) s.memo.clear();
    const ok = `${tier}\n${model}`;
    const memo = (org.memo ??= new Map());
    let o = memo.get(ok);
    if (!o) memo.set(ok, (o = orgLimits(this.config, tier, model, org.rows)));
    const out: Limits = { org: o };
    const p = own(project, model);
    if (p) out.project = p;
    const k = own(key, model);
    if (k) out.key = k;
    return out;
  }
}
