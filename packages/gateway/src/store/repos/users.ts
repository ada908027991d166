import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, UsersTable } from '../schema.js';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: number;
}

const toUser = (r: Selectable<UsersTable>): User => ({ id: r.id, email: r.email, name: r.name, createdAt: r.created_at });

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Throws ConflictError('email_taken') when the email is in use (checked by the unique index, so races are safe). */
  async create(input: { email: string; name: string }): Promise<User> {
    const row = { id: newId.user(), email: normalizeEmail(input.email), name: input.name, created_at: this.clock.now() };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('email_taken', `A user with email '${row.email}' already exists.`);
      throw e;
    }
    return toUser(row);
  }

  /** Gives the user a new name; false when there is no such user. */
  async setName(id: string, name: string): Promise<boolean> {
    const r = await this.db.updateTable('users').set({ name }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async get(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
    return r && toUser(r);
  }

  /** People only: the identity rows of service accounts are not users to list. */
  async list(page: PageRequest): Promise<Page<User>> {
    const q = this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'not in', (eb) => eb.selectFrom('service_accounts').select('id'));
    const cursor = (id: string) => this.db.selectFrom('users').select(['created_at', 'id']).where('id', '=', id).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toUser);
  }
}
