/**
 * Console accounts: the console's side of a user (password hash, operator flag, two-factor state)
 * and an organization's console policy. One row per user who has ever had any of these.
 * @module
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { consoleDb, type ConsoleAccountsTable } from './tables.js';

export interface Account {
  userId: string;
  passwordHash: string | null;
  operator: boolean;
  /** Sealed TOTP secret (totp.ts), pending or enabled. */
  totpSecret: string | null;
  totpEnabled: boolean;
  /** SHA-256 hex of each unused recovery code. */
  recoveryCodes: string[];
}

const toAccount = (r: ConsoleAccountsTable): Account => ({
  userId: r.user_id,
  passwordHash: r.password_hash,
  operator: Number(r.operator) === 1,
  totpSecret: r.totp_secret,
  totpEnabled: r.totp_enabled_at !== null,
  recoveryCodes: r.recovery_codes ? (JSON.parse(r.recovery_codes) as string[]) : [],
});

export type AccountPatch = Partial<Pick<ConsoleAccountsTable, 'password_hash' | 'operator' | 'totp_secret' | 'totp_enabled_at' | 'recovery_codes'>>;

export class AccountRepo {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async get(userId: string): Promise<Account | undefined> {
    const r = await consoleDb(this.store).selectFrom('console_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r && toAccount(r);
  }

  /** Writes the given columns, creating the row when the user has none yet. */
  async update(userId: string, patch: AccountPatch): Promise<void> {
    const now = this.clock.now();
    await consoleDb(this.store)
      .insertInto('console_accounts')
      .values({ user_id: userId, password_hash: null, operator: 0, totp_secret: null, totp_enabled_at: null, recovery_codes: null, ...patch, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...patch, updated_at: now }))
      .execute();
  }

  /**
   * Uses the TOTP code of time step `step`: true only when no code of this step or a later one
   * was accepted before. One conditional update, so of two sign-ins racing with the same code (or
   * a code replayed within its 90 seconds of validity) exactly one gets true, on every instance.
   */
  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const r = await consoleDb(this.store)
      .updateTable('console_accounts')
      .set({ totp_last_step: step, updated_at: this.clock.now() })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Uses one recovery code (by its hash): true when it was unused. A compare-and-set on the whole
   * list, so two sign-ins racing with the same code cannot both succeed.
   */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const a = await this.get(userId);
    if (!a || !a.recoveryCodes.includes(codeHash)) return false;
    const before = JSON.stringify(a.recoveryCodes);
    const after = JSON.stringify(a.recoveryCodes.filter((c) => c !== codeHash));
    const r = await consoleDb(this.store)
      .updateTable('console_accounts')
      .set({ recovery_codes: after, updated_at: this.clock.now() })
      .where('user_id', '=', userId)
      .where('recovery_codes', '=', before)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Whether the organization requires two-factor sign-in of its members. */
  async requiresTotp(orgId: string): Promise<boolean> {
    const r = await consoleDb(this.store).selectFrom('console_org_policies').select('require_totp').where('org_id', '=', orgId).executeTakeFirst();
    return Number(r?.require_totp ?? 0) === 1;
  }

  async setRequireTotp(orgId: string, required: boolean): Promise<void> {
    const now = this.clock.now();
    const v = required ? 1 : 0;
    await consoleDb(this.store)
      .insertInto('console_org_policies')
      .values({ org_id: orgId, require_totp: v, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ require_totp: v, updated_at: now }))
      .execute();
  }

  /** Whether any user has a password or is an operator (then the setup link has no more use). */
  async anyOperator(): Promise<boolean> {
    const r = await consoleDb(this.store).selectFrom('console_accounts').select('user_id').where('operator', '=', 1).limit(1).executeTakeFirst();
    return r !== undefined;
  }
}
