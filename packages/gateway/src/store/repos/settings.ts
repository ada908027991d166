import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Named values the gateway keeps for itself (e.g. a generated server secret). */
export class SettingsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
    return r?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom('settings').where('name', '=', name).execute();
  }

  /**
   * The stored value, or `make()` stored now. Safe when several instances start at once: the
   * first insert wins and every caller reads the winner.
   */
  async getOrCreate(name: string, make: () => string): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    await this.db.insertInto('settings').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const value = await this.get(name);
    if (value === undefined) throw new Error(`settings: ${name} vanished after insert`);
    return value;
  }
}
