/**
 * The organization roles are OpenAI's, `owner` and `reader`. The operator API and `tollgate
 * members add` also took `member`, which every check treated as not-an-owner, that is as a
 * reader (organization/auth.ts, console/auth.ts, organization/project-access.ts), while
 * `/v1/organization/users` sent it on as `role: "member"`, a value OpenAI's API never returns.
 * Those memberships, and invites that would make more of them, become what they meant: `reader`. Down changes nothing back: a reader row
 * cannot tell whether it was written as `member`. Kysely queries only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('memberships').set({ role: 'reader' }).where('role', '=', 'member').execute();
  // An invite's role becomes the membership's when it is accepted: a pending one would bring `member` back.
  await db.updateTable('invites').set({ role: 'reader' }).where('role', '=', 'member').execute();
}

export async function down(): Promise<void> {}

/** For the static migration list in ./index.ts. */
export const memberRoleIsReaderMigration: Migration = { up, down };
