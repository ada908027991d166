import {
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  type PostgresDialectConfig,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';

/**
 * A PostgreSQL introspector that sees one schema: the store's, or without one the connection's
 * current schema.
 *
 * Kysely's Migrator asks the introspector whether its migration tables exist, on every run and
 * before it takes its lock. Kysely's own PostgreSQL introspector answers with every column of
 * every table in every schema of the database, and calls has_schema_privilege() and
 * pg_get_serial_sequence() with each schema's name: a schema dropped while that query runs
 * (another store's, a finished test's) is still in the query's snapshot but no longer found by
 * name, and the query fails with `schema "<that schema>" does not exist`, so the migration fails
 * before it runs anything, naming a schema it never uses. This one reads the catalog rows of its
 * own schema only and looks nothing up by name.
 *
 * It lists tables and views without their columns: it serves the migrations' connection, where
 * the Migrator reads their names only.
 */
export class SchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string | undefined,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await this.db.selectFrom('pg_catalog.pg_namespace').select('nspname').where('nspname', '=', this.own()).execute();
    return rows.map((r: { nspname: string }) => ({ name: r.nspname }));
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    let query = this.db
      .selectFrom('pg_catalog.pg_class as c')
      .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
      .select(['c.relname as name', 'c.relkind as kind', 'n.nspname as schema'])
      .where('n.nspname', '=', this.own())
      .where('c.relkind', 'in', ['r', 'p', 'v'])
      .orderBy('c.relname');
    if (!options.withInternalKyselyTables) query = query.where('c.relname', 'not in', [DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);
    const rows: { name: string; kind: string; schema: string }[] = await query.execute();
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }

  private own() {
    return this.schema ?? sql<string>`current_schema()`;
  }
}

/** Kysely's PostgreSQL dialect with the introspector above. */
export class SchemaPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string | undefined,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SchemaIntrospector(db, this.schema);
  }
}
