import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './table.js';

/**
 * The limit columns of every rate-limit table (also 0007's project_rate_limits); shipped, so never
 * changed. Per model, NULL = not overridden (tier value applies), -1 = unlimited, n >= 0 = the limit.
 */
export const LIMIT_COLUMNS = {
  model: 'text not null',
  max_requests_per_1_minute: 'bigint',
  max_tokens_per_1_minute: 'bigint',
  max_requests_per_1_day: 'bigint',
  max_tokens_per_1_day: 'bigint',
};

/**
 * Identity and access: settings, organizations, users, memberships, API keys, model allow-lists,
 * and the rate-limit override tables the limit stage reads (created here so that stages do not
 * race on migrations). Written with the schema builder only, so it runs on SQLite and PostgreSQL.
 */
export const identityMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await createTable(db, 'settings', { columns: { name: 'text primary key', value: 'text not null' } });

    await createTable(db, 'organizations', {
      columns: {
        id: 'text primary key',
        name: 'text not null',
        tier: 'text not null',
        created_at: 'bigint not null',
        deleted_at: 'bigint',
        hard_limit_micros: 'bigint',
        soft_limit_micros: 'bigint',
        models_restricted: 'integer not null default 0',
      },
      indexes: { organizations_created: ['created_at', 'id'] },
    });

    await createTable(db, 'users', {
      columns: { id: 'text primary key', email: 'text not null unique', name: 'text not null', created_at: 'bigint not null' },
      indexes: { users_created: ['created_at', 'id'] },
    });

    await createTable(db, 'memberships', {
      columns: {
        org_id: 'text not null references organizations.id',
        user_id: 'text not null references users.id',
        role: 'text not null',
        created_at: 'bigint not null',
      },
      primaryKey: ['org_id', 'user_id'],
      indexes: { memberships_user: ['user_id'] },
    });

    await createTable(db, 'api_keys', {
      columns: {
        id: 'text primary key',
        org_id: 'text not null references organizations.id',
        user_id: 'text not null references users.id',
        name: 'text not null',
        key_hash: 'text not null unique',
        redacted: 'text not null',
        status: 'text not null',
        permissions: 'text not null',
        scopes: 'text not null',
        created_at: 'bigint not null',
        expires_at: 'bigint',
        last_used_at: 'bigint',
        revoked_at: 'bigint',
      },
      indexes: { api_keys_org_created: ['org_id', 'created_at', 'id'], api_keys_created: ['created_at', 'id'] },
    });

    await createTable(db, 'organization_models', {
      columns: { org_id: 'text not null references organizations.id', model: 'text not null' },
      primaryKey: ['org_id', 'model'],
    });

    await createTable(db, 'rate_limit_overrides', {
      columns: { org_id: 'text not null references organizations.id', ...LIMIT_COLUMNS },
      primaryKey: ['org_id', 'model'],
    });
    await createTable(db, 'key_rate_limits', {
      columns: { key_id: 'text not null references api_keys.id', ...LIMIT_COLUMNS },
      primaryKey: ['key_id', 'model'],
    });
  },

  async down(db: Kysely<any>): Promise<void> {
    await dropTables(db, ['key_rate_limits', 'rate_limit_overrides', 'organization_models', 'api_keys', 'memberships', 'users', 'organizations', 'settings']);
  },
};
