import type { Kysely, Migration } from 'kysely';

/**
 * Identity and access: settings, organizations, users, memberships, API keys, model allow-lists,
 * and the rate-limit override tables the limit stage reads (created here so that stages do not
 * race on migrations). Written with the schema builder only, so it runs on SQLite and PostgreSQL.
 */
export const identityMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('organizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .addColumn('hard_limit_micros', 'bigint')
      .addColumn('soft_limit_micros', 'bigint')
      .addColumn('models_restricted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('organizations_created').on('organizations').columns(['created_at', 'id']).execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_created').on('users').columns(['created_at', 'id']).execute();

    await db.schema
      .createTable('memberships')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['org_id', 'user_id'])
      .execute();
    await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('redacted', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('api_keys_org_created').on('api_keys').columns(['org_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('api_keys_created').on('api_keys').columns(['created_at', 'id']).execute();

    await db.schema
      .createTable('organization_models')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('organization_models_pk', ['org_id', 'model'])
      .execute();

    // NULL = not overridden (tier value applies), -1 = unlimited, n >= 0 = the limit.
    await db.schema
      .createTable('rate_limit_overrides')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('max_requests_per_1_minute', 'bigint')
      .addColumn('max_tokens_per_1_minute', 'bigint')
      .addColumn('max_requests_per_1_day', 'bigint')
      .addColumn('max_tokens_per_1_day', 'bigint')
      .addPrimaryKeyConstraint('rate_limit_overrides_pk', ['org_id', 'model'])
      .execute();

    await db.schema
      .createTable('key_rate_limits')
      .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('max_requests_per_1_minute', 'bigint')
      .addColumn('max_tokens_per_1_minute', 'bigint')
      .addColumn('max_requests_per_1_day', 'bigint')
      .addColumn('max_tokens_per_1_day', 'bigint')
      .addPrimaryKeyConstraint('key_rate_limits_pk', ['key_id', 'model'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['key_rate_limits', 'rate_limit_overrides', 'organization_models', 'api_keys', 'memberships', 'users', 'organizations', 'settings']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
