/**
 * Stages 2–3 of the request path: authentication (bearer key → principal) and authorization
 * (organization header, scopes, model access). The limits that apply to a key are decided in
 * `limits/` (`LimitsResolver`); identity reads them together with the key and hands them on.
 *
 * The request path never queries the database for a known key: outcomes are cached in memory
 * (bounded LRU, `auth.cache_ttl_ms` as a safety net), and every change that takes access away
 * — key revocation, member removal, organization deletion, allow-list or limit changes — is an
 * invalidation event: applied to the local cache, and published over Redis
 * (`<prefix>identity-invalidate`) to every other instance when Redis is configured; the admin call
 * returns once every other instance has confirmed it applied the event (at most a second).
 *
 * ```ts
 * const identity = new Identity({ store, config, clock, redis });
 * const p = await identity.authenticate(ctx);      // throws 401/429 catalog errors
 * identity.requireScope(p, ctx.method, ctx.path);  // 401 insufficient_permissions
 * identity.requireModel(p, body.model);            // 403 model_access_denied
 * const limits = await identity.limitsFor(p, body.model);
 * ```
 * @module
 */
import { HEADER, maskKey } from '@tollgate/protocol';
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { OutageLog } from '../outage-log.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import { LimitsResolver, type Limits } from '../limits/limits-resolver.js';
import type { Store } from '../store/index.js';
import { StaleServing } from '../store/stale-serving.js';
import { ADMIN_KEY_PREFIX, isWellFormedAdminKey } from '../organization/admin-key-format.js';
import { isWellFormedOperatorKey } from '../admin/operator-key-format.js';
import { mayUseProject } from '../organization/project-access.js';
import { isWellFormedKey } from './api-key-format.js';
import { credentialFrom } from './bearer.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { InvalidationBus, type Invalidation } from './invalidation.js';
import { KeyHasher } from './key-hasher.js';
import { KeyHashMemo } from './key-hash-memo.js';
import { LastUsedBuffer } from './last-used.js';
import { PrincipalCache } from './principal-cache.js';
import { loadServerSecrets, type SecretSources } from './server-secret.js';
import type { AuthOutcome, Principal } from './principal.js';
import { compileAllowlist, refusingList, type Allowlist } from './ip-allowlist.js';
import type { AuthRecord, Role } from '../store/index.js';
import { effectiveScopes, grants, requiredScope } from './scopes.js';

export type { Principal, AuthOutcome } from './principal.js';
export type { Invalidation } from './invalidation.js';
export { SCOPES, READ_SCOPES, isKnownScope, requiredScope, type Scope } from './scopes.js';
export { generateApiKey, isWellFormedKey, KEY_PREFIX } from './api-key-format.js';
export { FailedAuthLimiter } from './failed-auth-limiter.js';

export interface IdentityDeps {
  store: Store;
  config: Config;
  clock: Clock;
  /** For pub/sub invalidation; a subscriber connection is made from it with `duplicate()`. */
  redis?: RedisClient;
  log?: Logger;
  /**
   * Where the key-hashing secret comes from (`secretSourcesOf(config)` in a gateway). Default: the
   * configured environment values only, else a secret generated in memory (tests).
   */
  secrets?: SecretSources;
  /** Tuning; the defaults suit production. */
  options?: {
    /** Bound of the per-key caches (principals and key limits), in keys; default MAX_CACHED_KEYS. */
    maxCachedKeys?: number;
    lastUsedFlushMs?: number;
  };
}

/** Default bound of the per-key caches (principals and key limits), in keys. */
export const MAX_CACHED_KEYS = 50_000;

/** Longest submitted token echoed (masked) in an error message. */
const MAX_ECHO = 200;

export class Identity {
  /** Failed authentications per client address; the admin API counts its failures here too. */
  readonly failures: FailedAuthLimiter;
  readonly limits: LimitsResolver;
  private readonly cache: PrincipalCache;
  private readonly lastUsed: LastUsedBuffer;
  private readonly bus: InvalidationBus;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger | undefined;
  /** A database outage on the request path: 503 store_unavailable, never an unchecked admission or a misleading 401. */
  private readonly storeOutage: OutageLog;
  private hasher: KeyHasher | undefined;
  private hasherLoad: Promise<KeyHasher> | undefined;
  private readonly secretSources: SecretSources;
  private closed: Promise<void> | undefined;
  private readonly listeners: ((e: Invalidation) => void)[] = [];
  private readonly staleKeys: StaleServing;
  private readonly knownHashes: KeyHashMemo;
  /** Key loads that failed and were answered from the cache: logged by state changes, not per request. */
  private readonly cachedKeyServes: RepeatingFailureLog;

  constructor(deps: IdentityDeps) {
    const { store, config, clock } = deps;
    this.store = store;
    this.clock = clock;
    this.log = deps.log;
    this.storeOutage = new OutageLog(deps.log, 'database (keys and organizations)', clock);
    const ttl = config.auth.cache_ttl_ms;
    this.failures = new FailedAuthLimiter(config.auth.failed_attempts_per_minute, clock, {
      ...(deps.redis ? { redis: deps.redis } : {}),
      keyPrefix: config.redis?.key_prefix ?? 'tollgate:',
      ...(deps.log ? { log: deps.log } : {}),
    });
    // The key limits are cached per key like the principal, so one bound serves both: a smaller
    // limits cache would miss (one store read per request) for every key beyond it.
    const maxKeys = deps.options?.maxCachedKeys ?? MAX_CACHED_KEYS;
    this.cache = new PrincipalCache(clock, ttl, { maxKeys });
    this.knownHashes = new KeyHashMemo(maxKeys);
    this.limits = new LimitsResolver(store, config, clock, ttl, { keys: maxKeys }, config.database.max_stale_ms, deps.log);
    this.staleKeys = new StaleServing(clock, Math.max(ttl, config.database.max_stale_ms), 'api keys', deps.log);
    this.cachedKeyServes = new RepeatingFailureLog(deps.log, clock, {
      job: 'api key lookups',
      message: 'identity store unavailable; serving a cached key',
      recovered: 'identity store answering key lookups again',
    });
    this.lastUsed = new LastUsedBuffer(store.apiKeys);
    this.lastUsed.start(deps.options?.lastUsedFlushMs ?? 5000, new RepeatingFailureLog(deps.log, clock, { job: 'api key last_used_at writes', message: 'writing api key last_used_at failed; will retry' }));
    const channel = `${config.redis?.key_prefix ?? 'tollgate:'}identity-invalidate`;
    this.bus = new InvalidationBus(deps.redis, channel, (e) => this.applyLocally(e), (e) => this.log?.warn({ err: e }, 'identity invalidation over redis failed'));
    this.secretSources = deps.secrets ?? { value: config.secrets.server_secret, file: null, previous: config.secrets.server_secret_previous };
    // Started now so that the first request does not wait; reported through ready() or the first
    // authenticate(), never as an unhandled rejection.
    this.keyHasher().catch(() => {});
  }

  /**
   * The key hasher. Loading it reads the store (the secret's check value, and an old database's
   * secret to move out); a failure is not remembered, so a gateway started while the database was
   * down recovers when it comes back.
   */
  private keyHasher(): Promise<KeyHasher> {
    if (this.hasher) return Promise.resolve(this.hasher);
    this.hasherLoad ??= loadServerSecrets(this.store, this.secretSources, this.log).then(
      (s) => (this.hasher = new KeyHasher(Buffer.from(s.current, 'utf8'), s.previous === null ? null : Buffer.from(s.previous, 'utf8'))),
      (e: unknown) => {
        this.hasherLoad = undefined;
        throw e;
      },
    );
    return this.hasherLoad;
  }

  /** Loads the key-hashing secret now; rejects when it is not the one the stored keys were made with. */
  async loadSecret(): Promise<void> {
    await this.keyHasher();
  }

  /** Resolves when the key secret is loaded and the Redis subscription (if any) is in place. */
  async ready(): Promise<void> {
    await this.keyHasher();
    await this.bus.ready();
  }

  /**
   * Stage 2: the principal for the request's key. Throws 401, or 429 when the key matches no key
   * and the address has used up its failed authentications. The key is always checked first: a
   * right key is never refused because of what else came from its address. Which refusals count
   * as guesses, and why the others do not: failed-auth-limiter.ts.
   */
  async authenticate(ctx: RequestContext): Promise<Principal> {
    const ip = ctx.clientIp;
    const token = credentialFrom(header(ctx, 'authorization'));
    if (token === undefined) throw this.refuse(ip, new ApiError('missing_api_key'), 'no key');
    if (token.startsWith(ADMIN_KEY_PREFIX)) throw await this.refuseAdminKey(ctx, token);
    if (isWellFormedOperatorKey(token)) throw this.refuse(ip, operatorKeyRefusal(token, ctx.path), 'operator key shape');
    if (!isWellFormedKey(token)) throw this.refuse(ip, invalidKey(token), 'malformed key');
    const hasher = this.hasher ?? (await this.storeOutage.guard(() => this.keyHasher()));
    const digest = KeyHashMemo.digest(token);
    const known = this.knownHashes.get(digest);
    const hash = known ?? hasher.hash(token);

    let outcome = this.cache.get(hash);
    if (!outcome) {
      // A key seen before, past the TTL: serve it now and refresh it in the background, so that a
      // database outage or stall costs it nothing for max_stale_ms (revocation is an event).
      const stale = this.cache.staleEntry(hash);
      if (stale && this.staleKeys.usable(stale.loadedAt)) {
        outcome = stale.outcome;
        this.staleKeys.refresh(hash, () => this.cache.load(hash, () => this.load(hash, token, hasher)));
      } else {
        outcome = await this.storeOutage.guard(() => this.lookup(hash, token, hasher));
      }
    }
    const now = this.clock.now();
    if (outcome.ok && outcome.expiresAt !== null && outcome.expiresAt <= now) {
      this.cache.expire(hash);
      outcome = { ok: false, error: 'invalid_api_key', permanent: true, issued: true };
    }
    if (!outcome.ok) {
      const err = outcome.error === 'no_organization' ? new ApiError('no_organization') : invalidKey(token);
      throw outcome.issued ? this.refuse(ip, err, `issued key refused (${outcome.error})`) : await this.fail(ip, err, 'unknown key');
    }
    const p = outcome.principal;
    if (known === undefined) this.knownHashes.remember(digest, hash);

    const refusing = refusingList(p.ipAllowlists, ip);
    if (refusing) throw this.refuse(ip, new ApiError('ip_not_authorized', { ip: ip.slice(0, MAX_ECHO), scope: refusing.scope }), `address not on the ${refusing.scope} IP allowlist`);

    // Most requests name neither: no call, no await (each was a promise and a microtask).
    if (header(ctx, HEADER.organization) !== undefined) await this.refuseOtherScope(ctx, ip, 'organization', p.orgId, (id) => this.cache.organizationExists(id, () => this.store.organizations.exists(id)));
    if (header(ctx, HEADER.project) !== undefined) await this.refuseOtherScope(ctx, ip, 'project', p.projectId, (id) => this.cache.projectExists(id, () => this.store.projects.exists(id)));

    this.lastUsed.touch(p.keyId, now);
    ctx.headers[HEADER.organization] = p.orgId;
    if (p.projectId !== null) ctx.headers[HEADER.project] = p.projectId;
    return p;
  }

  /** Stage 3: the key's permissions allow this endpoint. */
  requireScope(p: Principal, method: string, path: string): void {
    if (p.permissions === 'all') return;
    const scope = requiredScope(method, path);
    if (!grants(p, scope)) throw new ApiError('insufficient_permissions', { scopes: scope });
  }

  /** Stage 3: the organization, then the key's project, may use this model. */
  requireModel(p: Principal, model: string): void {
    if (p.allowedModels !== null && !p.allowedModels.has(model)) throw new ApiError('model_access_denied', { organization: p.orgId, model });
    const pm = p.projectModels;
    if (pm && pm.ids.has(model) !== (pm.mode === 'allow_list')) throw new ApiError('project_model_access_denied', { project: p.projectId ?? '', model });
  }

  /** The effective limits for the limit stage; synchronous when cached (the usual case). */
  limitsFor(p: Principal, model: string): Limits | Promise<Limits> {
    return this.limits.resolveLimits(p.orgId, p.tier, model, p.keyId, p.projectId ?? undefined);
  }

  /** The stored form of a key (admin API: creating keys). */
  async hashKey(key: string): Promise<string> {
    return (this.hasher ?? (await this.keyHasher())).hash(key);
  }

  /**
   * Takes effect on this instance at once, and on every other instance before it resolves: it
   * waits until each has confirmed applying the event, at most a second (invalidation.ts). Call
   * after the change is committed to the store, and await it before answering the admin call.
   */
  async invalidate(e: Invalidation): Promise<void> {
    this.applyLocally(e);
    await this.bus.publish(e);
  }

  /**
   * Also runs `listener` for every invalidation applied here, local or from another instance, so
   * caches outside identity (an organization's spend limits) follow the same events.
   */
  onInvalidate(listener: (e: Invalidation) => void): void {
    this.listeners.push(listener);
  }

  /** Entries held now by the per-key and per-organization caches (each bounded; see `maxCachedKeys`). */
  get cacheSizes(): { keys: number; failedKeys: number; keyLimits: number; organizationLimits: number } {
    const c = this.cache.sizes;
    const l = this.limits.sizes;
    return { keys: c.keys, failedKeys: c.failedKeys, keyLimits: l.keys, organizationLimits: l.orgs };
  }

  /** Invalidations received from other instances so far. */
  get remoteInvalidations(): number {
    return this.bus.received;
  }

  /** Writes buffered last-use times now (also done every few seconds and at close). */
  flushLastUsed(): Promise<void> {
    return this.lastUsed.flush();
  }

  close(): Promise<void> {
    return (this.closed ??= (async () => {
      this.lastUsed.stop();
      try {
        await this.lastUsed.flush();
      } catch (e) {
        this.log?.warn({ err: e }, 'writing api key last_used_at at close failed');
      }
      await this.bus.close();
    })());
  }

  private applyLocally(e: Invalidation): void {
    for (const listener of this.listeners) listener(e);
    if (e.kind === 'key') {
      this.cache.invalidateKey(e.keyId);
      this.limits.invalidateKey(e.keyId);
    } else if (e.kind === 'org') {
      this.cache.invalidateOrg(e.orgId, e.projectId);
      this.limits.invalidateOrg(e.orgId);
    } else {
      this.cache.clear();
      this.limits.clear();
    }
  }

  /**
   * The OpenAI-Organization / OpenAI-Project header, when sent, must name the key's own
   * organization / project: another one that exists is `mismatched_*`, one that does not is
   * `invalid_*` (echoing the name, cut to MAX_ECHO). Not counted as failed authentications: the
   * key was right (failed-auth-limiter.ts).
   */
  private async refuseOtherScope(ctx: RequestContext, ip: string, scope: 'organization' | 'project', own: string | null, exists: (id: string) => Promise<boolean>): Promise<void> {
    const named = header(ctx, HEADER[scope])?.trim();
    if (!named || named === own) return;
    const known = await this.storeOutage.guard(() => exists(named));
    if (known) throw this.refuse(ip, new ApiError(`mismatched_${scope}`), `${scope} header names another ${scope}`);
    throw this.refuse(ip, new ApiError(`invalid_${scope}`, { [scope]: named.slice(0, MAX_ECHO) }), `${scope} header names no ${scope}`);
  }

  /**
   * An organization admin key is not an API key: a live one is refused for lacking the scope of
   * the endpoint (OpenAI's answer), anything else with its prefix is an incorrect key. Only a
   * well-formed one that matches no admin key counts as a failed authentication (a guess).
   */
  private async refuseAdminKey(ctx: RequestContext, token: string): Promise<ApiError> {
    if (!isWellFormedAdminKey(token)) return this.refuse(ctx.clientIp, invalidKey(token), 'malformed admin key');
    const hasher = this.hasher ?? (await this.storeOutage.guard(() => this.keyHasher()));
    const hash = hasher.hash(token);
    const key = await this.storeOutage.guard(() => this.store.adminApiKeys.findForAuth(hash));
    if (key && KeyHasher.same(key.keyHash, hash)) return new ApiError('insufficient_permissions', { scopes: requiredScope(ctx.method, ctx.path) });
    return this.fail(ctx.clientIp, invalidKey(token), 'unknown admin key');
  }

  /** A credential that matched no key (a possible guess): counted; the error itself, or 429 once the address has no failures left. */
  private fail(ip: string, err: ApiError, reason: string): Promise<ApiError> {
    this.log?.debug({ client_ip: ip, reason }, 'authentication failed');
    return this.failures.failure(ip, err);
  }

  /** A refusal that cannot be a guess (failed-auth-limiter.ts): the error itself, never counted, never 429. */
  private refuse(ip: string, err: ApiError, reason: string): ApiError {
    this.log?.debug({ client_ip: ip, reason }, 'authentication failed');
    return err;
  }

  /** A cache miss: one shared load; a store failure falls back to a cached (stale) success. */
  private async lookup(hash: string, token: string, hasher: KeyHasher): Promise<AuthOutcome> {
    let outcome: AuthOutcome;
    try {
      outcome = await this.cache.load(hash, () => this.load(hash, token, hasher));
    } catch (e) {
      const entry = this.cache.staleEntry(hash);
      const stale = entry && this.staleKeys.usable(entry.loadedAt) ? entry.outcome : undefined;
      if (!stale) throw e;
      // Once per outage (then a summary a minute), not once per request served from the cache.
      this.cachedKeyServes.failed(e);
      return stale;
    }
    this.cachedKeyServes.ok();
    return outcome;
  }

  /**
   * During a secret rotation: a key still stored under its previous-secret hash is found by that
   * hash and re-hashed with the current secret on the spot (a conditional update, so instances
   * racing on the same key agree), then authenticates as usual.
   */
  private async rehashed(hash: string, token: string, hasher: KeyHasher) {
    const old = hasher.hashPrevious(token);
    if (old === undefined) return undefined;
    const rec = await this.store.apiKeys.findForAuth(old);
    if (!rec || !KeyHasher.same(rec.key.keyHash, old)) return undefined;
    await this.store.apiKeys.replaceHash(rec.key.id, old, hash);
    return { ...rec, key: { ...rec.key, keyHash: hash } };
  }

  private async load(hash: string, token: string, hasher: KeyHasher): Promise<AuthOutcome> {
    const rec = (await this.store.apiKeys.findForAuth(hash)) ?? (await this.rehashed(hash, token, hasher));
    // The index found the row by hash; compare again in constant time all the same.
    if (!rec || !KeyHasher.same(rec.key.keyHash, hash)) return { ok: false, error: 'invalid_api_key', permanent: true, issued: false };
    const { key, org, project } = rec;
    if (key.status !== 'active') return { ok: false, error: 'invalid_api_key', permanent: true, issued: true };
    if (key.expiresAt !== null && key.expiresAt <= this.clock.now()) return { ok: false, error: 'invalid_api_key', permanent: true, issued: true };
    if (org.deletedAt !== null) return { ok: false, error: 'no_organization', permanent: true, issued: true };
    // An archived project's keys stop at once (archiving cannot be undone).
    if (project && project.status !== 'active') return { ok: false, error: 'invalid_api_key', permanent: true, issued: true };
    const owner = ownerAccess(rec);
    if (!owner.ok) return owner;
    const role = owner.role;
    const [allowed] = await Promise.all([org.modelsRestricted ? this.store.modelAccess.get(org.id) : null, this.limits.prefetch(org.id, key.id, project?.id)]);
    const principal: Principal = {
      keyId: key.id,
      keyName: key.name,
      orgId: org.id,
      orgName: org.name,
      userId: key.userId,
      role,
      permissions: key.permissions,
      scopes: effectiveScopes(key.permissions, key.scopes),
      allowedModels: allowed === null ? null : new Set(allowed),
      tier: org.tier,
      projectId: project?.id ?? null,
      ownerType: key.ownerType,
      projectModels: project?.modelPermissions ? { mode: project.modelPermissions.mode, ids: new Set(project.modelPermissions.modelIds) } : null,
      ipAllowlists: allowlists(org.ipAllowlist, project?.ipAllowlist ?? [], key.ipAllowlist),
    };
    return { ok: true, principal, expiresAt: key.expiresAt };
  }
}

/** Most principals have no allowlist: they share one empty list instead of holding their own. */
const NO_ALLOWLISTS: readonly Allowlist[] = Object.freeze([]);

/** The non-empty allowlists of an organization, a project and a key, in that order. */
function allowlists(org: readonly string[], project: readonly string[], key: readonly string[]): readonly Allowlist[] {
  if (org.length === 0 && project.length === 0 && key.length === 0) return NO_ALLOWLISTS;
  return [compileAllowlist('organization', org), compileAllowlist('project', project), compileAllowlist('API key', key)].filter((l): l is Allowlist => l !== undefined);
}

/**
 * Whether the key's owner may still use it, and the organization role its requests act with. A
 * user must be a member of the organization and, outside the Default project (which every member
 * reaches), of the key's project or an owner of the organization. A service account must not be
 * deleted; it acts as a `reader` (it owns nothing in the organization). Failures are not permanent: access may be given back.
 */
function ownerAccess(rec: AuthRecord): { ok: true; role: Role } | Extract<AuthOutcome, { ok: false }> {
  if (rec.key.ownerType === 'service_account') {
    return rec.serviceAccount && !rec.serviceAccount.deleted ? { ok: true, role: 'reader' } : { ok: false, error: 'invalid_api_key', permanent: true, issued: true };
  }
  // Not permanent: the user may be added back, which must work at once.
  if (rec.role === null) return { ok: false, error: 'no_organization', permanent: false, issued: true };
  if (rec.project && !mayUseProject(rec.project.isDefault, rec.role, rec.projectRole)) return { ok: false, error: 'invalid_api_key', permanent: false, issued: true };
  return { ok: true, role: rec.role };
}

/**
 * A key of the operator key's shape sent to `/v1`: OpenAI's 401 `invalid_api_key`, whose message
 * names the key and the one this API takes (an organization admin key for the Administration
 * API, an API key elsewhere). Chosen by the shape and the path alone: the key is never checked.
 */
function operatorKeyRefusal(token: string, path: string): ApiError {
  const id = path.startsWith('/v1/organization/') ? 'operator_key_for_admin_api' : 'operator_key_for_api';
  return new ApiError(id, { key: maskKey(token) });
}

function invalidKey(token: string): ApiError {
  return new ApiError('invalid_api_key', { key: maskKey(token.length > MAX_ECHO ? token.slice(0, MAX_ECHO) : token) });
}
