import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { RequestContext } from '../http/context.js';
import type { Identity } from '../identity/index.js';
import type { CounterStore } from '../limits/counter-store.js';
import type { Mailer } from '../mail/mailer.js';
import type { LimitSeeds } from '../usage/limit-seeds.js';
import type { Organization, Store } from '../store/index.js';
import type { AuditActor, AuditRecorder } from './audit.js';

/** Where OpenAI's Administration API is mounted. */
export const ORG_PREFIX = '/v1/organization';

export interface OrgDeps {
  store: Store;
  identity: Identity;
  config: Config;
  clock: Clock;
  audit: AuditRecorder;
  /** Read only: the rate-limit objects' `remaining_*` (a peek never changes a counter). */
  counters: Pick<CounterStore, 'peek'>;
  log?: Logger;
  /** Starts a limit that first applies from what its scope used (absent: from a full bucket). */
  limitSeeds?: LimitSeeds;
  /** Sends the invite e-mails (absent, or SMTP off: none is sent). */
  mailer?: Mailer;
  /** A console session acting as its user (undefined: no session; the admin key decides). */
  sessionCaller?: (ctx: RequestContext) => Promise<OrgCaller | undefined>;
}

/** Who is calling `/v1/organization/*`: an admin key of one organization, which bounds everything it sees. */
export interface OrgCaller {
  org: Organization;
  /** The admin key's id. */
  keyId: string;
  /** The key's owner (null for a key made by the operator for an organization without owners). */
  ownerUserId: string | null;
  /** As the audit log records it. */
  actor: AuditActor;
  /**
   * The caller's organization role: `reader` only for a reader's console session, which reaches
   * the reads a reader may make and the invite of another reader (invites.ts); an admin key acts
   * for an owner.
   */
  role: 'owner' | 'reader';
}

/** What a handler answers: a JSON body (status 200 unless given). */
export interface OrgResult {
  status?: number;
  body: unknown;
}

/** A `/v1/organization/*` handler: authenticated already; every read and write is scoped to `caller.org`. */
export type OrgHandler = (ctx: RequestContext, caller: OrgCaller, deps: OrgDeps) => Promise<OrgResult>;
