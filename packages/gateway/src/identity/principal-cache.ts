import type { Clock } from '../clock.js';
import { TtlCache } from '../ttl-cache.js';
import type { AuthOutcome } from './principal.js';

type Success = Extract<AuthOutcome, { ok: true }>;
type Failure = Extract<AuthOutcome, { ok: false }>;

/**
 * Key hash → authentication outcome, in memory, so that a request costs one HMAC and one Map
 * lookup instead of a query.
 *
 * Correctness against revocation rests on three rules:
 * 1. Invalidation is synchronous and deletes every entry it concerns before the admin call that
 *    caused it returns; the TTL is only a safety net for missed remote events.
 * 2. A load that started before an invalidation never fills the cache afterwards: every
 *    invalidation bumps `generation`, and a fill carries the generation its load started in.
 * 3. Concurrent misses for one hash share one load, and invalidation forgets the shared loads, so
 *    a request arriving after the invalidation starts a fresh one.
 *
 * Failures are cached (bounded, same TTL) only when they are permanent — unknown, revoked or
 * expired keys, deleted organizations — so a flood of bad keys does not reach the database.
 */
export class PrincipalCache {
  /** Successes, with the time each was loaded (the cache entry's own time: no wrapper per key). */
  private readonly positive: TtlCache<string, Success>;
  private readonly negative: TtlCache<string, Failure>;
  private readonly loads = new Map<string, { generation: number; promise: Promise<AuthOutcome> }>();
  private readonly orgExists: TtlCache<string, boolean>;
  private generation = 0;

  constructor(
    clock: Clock,
    private readonly ttlMs: number,
    opts: { maxKeys?: number; maxNegative?: number; maxOrgs?: number } = {},
  ) {
    this.positive = new TtlCache(clock, ttlMs, opts.maxKeys ?? 50_000);
    this.negative = new TtlCache(clock, ttlMs, opts.maxNegative ?? 10_000);
    this.orgExists = new TtlCache(clock, ttlMs, opts.maxOrgs ?? 10_000);
  }

  /** Entries held now (of any age): successes, cached failures, organization/project existence. */
  get sizes(): { keys: number; failedKeys: number; organizations: number } {
    return { keys: this.positive.size, failedKeys: this.negative.size, organizations: this.orgExists.size };
  }

  /** A cached outcome younger than the TTL. */
  get(hash: string): AuthOutcome | undefined {
    return this.positive.get(hash) ?? this.negative.get(hash);
  }

  /** A cached success of any age that was not invalidated: served when the store is down. */
  stale(hash: string): Success | undefined {
    return this.positive.peek(hash);
  }

  /** The same with its load time, so that the caller can bound its age. */
  staleEntry(hash: string): { outcome: Success; loadedAt: number } | undefined {
    const e = this.positive.peekEntry(hash);
    return e && { outcome: e.value, loadedAt: e.at };
  }

  /**
   * Runs `load` for a hash not in the cache, sharing it with concurrent callers, and stores the
   * outcome unless an invalidation happened meanwhile.
   */
  load(hash: string, load: () => Promise<AuthOutcome>): Promise<AuthOutcome> {
    const shared = this.loads.get(hash);
    if (shared && shared.generation === this.generation) return shared.promise;
    const generation = this.generation;
    const promise = load().then(
      (outcome) => {
        if (this.loads.get(hash)?.promise === promise) this.loads.delete(hash);
        if (generation === this.generation) this.store(hash, outcome);
        return outcome;
      },
      (e: unknown) => {
        if (this.loads.get(hash)?.promise === promise) this.loads.delete(hash);
        throw e;
      },
    );
    this.loads.set(hash, { generation, promise });
    return promise;
  }

  /** Drops a hash whose key turned out expired on a cache hit, remembering the failure. */
  expire(hash: string): void {
    this.positive.delete(hash);
    this.store(hash, { ok: false, error: 'invalid_api_key', permanent: true, issued: true });
  }

  invalidateKey(keyId: string): void {
    this.bump();
    this.positive.deleteWhere((o) => o.principal.keyId === keyId);
  }

  /** With `projectId`: that project was just created, so its cached "no such project" goes too. */
  invalidateOrg(orgId: string, projectId?: string): void {
    this.bump();
    this.positive.deleteWhere((o) => o.principal.orgId === orgId);
    this.orgExists.delete(orgId);
    if (projectId !== undefined) this.orgExists.delete(projectExistsKey(projectId));
  }

  clear(): void {
    this.bump();
    this.positive.clear();
    this.negative.clear();
    this.orgExists.clear();
  }

  /** Whether a project exists (the OpenAI-Project check), cached like organizations. */
  projectExists(projectId: string, load: () => Promise<boolean>): Promise<boolean> {
    return this.organizationExists(projectExistsKey(projectId), load);
  }

  /** Whether an organization exists, cached like keys; `load` reads the store on a miss. */
  async organizationExists(orgId: string, load: () => Promise<boolean>): Promise<boolean> {
    const cached = this.orgExists.get(orgId);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const exists = await load();
    if (generation === this.generation && this.ttlMs > 0) this.orgExists.set(orgId, exists);
    return exists;
  }

  private bump(): void {
    this.generation++;
    this.loads.clear();
  }

  private store(hash: string, outcome: AuthOutcome): void {
    // A failure always removes the success, also the stale one kept for store outages.
    if (!outcome.ok) this.positive.delete(hash);
    if (this.ttlMs <= 0) return;
    if (outcome.ok) {
      this.negative.delete(hash);
      this.positive.set(hash, outcome);
    } else if (outcome.permanent) {
      this.negative.set(hash, outcome);
    }
  }
}

/** Projects share the organizations' existence cache under a key no organization id can take. */
const projectExistsKey = (projectId: string) => `project\n${projectId}`;
