import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { RequestContext } from '../http/context.js';
import type { Identity } from '../identity/index.js';
import type { Store } from '../store/index.js';
import type { LimitSeeds } from '../usage/limit-seeds.js';
import type { AuditRecorder } from '../organization/audit.js';
import type { OperatorChange } from './audit.js';

export interface AdminDeps {
  store: Store;
  identity: Identity;
  config: Config;
  clock: Clock;
  /** SHA-256 of the admin key (configured, or generated on first start and stored as a hash); null = admin API closed. */
  adminKeyDigest: Buffer | null;
  /** The check every route runs (an operator's console session, else the admin key); default: the admin key. */
  requireAdmin?: (ctx: RequestContext) => Promise<void>;
  /** The organizations' audit log, where every change a handler reports (`AdminResult.audit`) goes. */
  audit: AuditRecorder;
  /** Audit lines for changes (ids and redacted keys only). */
  log?: Logger;
  /** Starts a limit that first applies from what its scope used (absent: from a full bucket). */
  limitSeeds?: LimitSeeds;
}

/** What a handler answers: a JSON body (status 200 unless given). */
export interface AdminResult {
  status?: number;
  body: unknown;
  /** The changes made to organizations' objects, recorded in their audit logs before the answer goes. */
  audit?: OperatorChange | readonly OperatorChange[];
}

export type AdminHandler = (ctx: RequestContext, deps: AdminDeps) => Promise<AdminResult>;
