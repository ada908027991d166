/**
 * An incident keeps the highest impact its components have given it (`peak_impact`) apart from
 * the impact an operator states (`impact_override`); `impact`, the one shown, is the override
 * when there is one, else that peak (status/incidents.ts). Before, `impact` alone held both, so an
 * override the operator lowered or withdrew came back as "the highest impact so far" and the
 * incident kept showing it.
 *
 * Existing incidents: the peak is `impact` where no override is set (it was the peak); where one
 * is, `impact` holds the override and the peak before it was recorded nowhere, so it starts from
 * the impact of the incident's components now. Maintenances keep `none` (their impact is
 * `maintenance` whatever their components). Schema builder only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

/** A component status's impact, as status/vocabulary.ts maps it (copied: a migration does not change with the code). */
const IMPACT_OF_STATUS: Readonly<Record<string, string>> = { degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical' };
const ORDER = ['none', 'minor', 'major', 'critical'];

function componentsImpact(json: string): string {
  let worst = 'none';
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return worst;
  }
  for (const s of Object.values((parsed ?? {}) as Record<string, unknown>)) {
    const impact = IMPACT_OF_STATUS[String(s)] ?? 'none';
    if (ORDER.indexOf(impact) > ORDER.indexOf(worst)) worst = impact;
  }
  return worst;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('status_incidents')
    .addColumn('peak_impact', 'text', (c) => c.notNull().defaultTo('none'))
    .execute();
  await db
    .updateTable('status_incidents')
    .set((eb) => ({ peak_impact: eb.ref('impact') }))
    .where('kind', '=', 'incident')
    .where('impact_override', 'is', null)
    .execute();
  const overridden = await db.selectFrom('status_incidents').select(['id', 'components']).where('kind', '=', 'incident').where('impact_override', 'is not', null).execute();
  for (const r of overridden as { id: string; components: string }[]) {
    await db.updateTable('status_incidents').set({ peak_impact: componentsImpact(r.components) }).where('id', '=', r.id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_incidents').dropColumn('peak_impact').execute();
}

/** For the static migration list in ./index.ts. */
export const statusPeakImpactMigration: Migration = { up, down };
