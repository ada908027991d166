/**
 * Server-side console sessions. The cookie carries a random 256-bit token; the store keeps only
 * its SHA-256, so a leaked database opens no session. A session ends at its absolute expiry,
 * after an idle period, at sign-out, or when its user signs out everywhere. The CSRF token is
 * derived from the session token (HMAC), so it needs no storage and another site cannot know it.
 * @module
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { consoleDb, type ConsoleSessionsTable } from './tables.js';

export const SESSION_COOKIE = 'tollgate_session';
const TOKEN = /^tgs_[A-Za-z0-9_-]{43}$/;
/** Last-seen times are written at most this often per session (reads stay cheap). */
const TOUCH_EVERY_MS = 60_000;

export interface SessionRecord {
  id: string;
  userId: string;
  orgId: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ipAddress: string;
}

const toRecord = (r: ConsoleSessionsTable): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  orgId: r.org_id,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  ipAddress: r.ip_address,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The CSRF token of a session: HMAC-SHA256 keyed by the session token (base64url). */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('tollgate console csrf').digest('base64url');
}

/** Constant-time check of a submitted CSRF token against the session's. */
export function csrfMatches(sessionToken: string, submitted: string | undefined): boolean {
  if (!submitted) return false;
  const want = Buffer.from(csrfTokenFor(sessionToken));
  const got = Buffer.from(submitted);
  return want.length === got.length && timingSafeEqual(want, got);
}

export class SessionRepo {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly idleMs: number,
  ) {}

  /**
   * A new session with a fresh token (returned once, for the cookie). `expiresAt`: the absolute
   * expiry of the session it replaces without a new sign-in (moving to another organization), which
   * it keeps; otherwise the TTL from now.
   */
  async create(userId: string, orgId: string | null, ipAddress: string, expiresAt?: number): Promise<{ token: string; session: SessionRecord }> {
    const token = `tgs_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const row: ConsoleSessionsTable = {
      id: `sess_${randomBytes(12).toString('hex')}`,
      token_hash: sha256(token),
      user_id: userId,
      org_id: orgId,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt ?? now + this.ttlMs,
      ip_address: ipAddress,
    };
    const db = consoleDb(this.store);
    await db.insertInto('console_sessions').values(row).execute();
    // Sessions that ended by time are otherwise removed only when presented again: clear the
    // user's at each sign-in, so the table holds about one row per live session.
    await db
      .deleteFrom('console_sessions')
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - this.idleMs)]))
      .execute();
    return { token, session: toRecord(row) };
  }

  /** The live session of a token (not expired, not idle too long), or undefined; records the use. */
  async find(token: string): Promise<SessionRecord | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const r = await consoleDb(this.store).selectFrom('console_sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!r) return undefined;
    const s = toRecord(r);
    const now = this.clock.now();
    if (now >= s.expiresAt || now - s.lastSeenAt >= this.idleMs) {
      await this.delete(s.id);
      return undefined;
    }
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await consoleDb(this.store).updateTable('console_sessions').set({ last_seen_at: now }).where('id', '=', s.id).execute();
    return s;
  }

  /** Ends the session of a token, if any (sign-out; sign-in ends the one it replaces). */
  async deleteByToken(token: string): Promise<void> {
    if (!TOKEN.test(token)) return;
    await consoleDb(this.store).deleteFrom('console_sessions').where('token_hash', '=', sha256(token)).execute();
  }

  async delete(id: string): Promise<void> {
    await consoleDb(this.store).deleteFrom('console_sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user (sign out everywhere, a new password); the number ended. */
  async deleteForUser(userId: string): Promise<number> {
    const r = await consoleDb(this.store).deleteFrom('console_sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
