/**
 * Migration 0015 keeps an incident's highest impact from its components (`peak_impact`) apart
 * from the operator's override, on both dialects: incidents stored before it get their peak (their
 * impact where no override is set; their components' impact where one is, since the override had
 * taken its place), and an override withdrawn afterwards gives the incident that peak back instead
 * of the old override. Down removes the column.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { statusPeakImpactMigration } from '../../src/store/migrations/0015_status_peak_impact.js';
import { IncidentRepo } from '../../src/status/incidents.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0015_status_peak_impact on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await statusPeakImpactMigration.down!(db); // back to the schema before it
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed(): Promise<void> {
    const row = (id: string, kind: string, impact: string, override: string | null, components: Record<string, string>) => ({
      id,
      kind,
      name: id,
      status: kind === 'incident' ? 'investigating' : 'scheduled',
      impact,
      impact_override: override,
      components: JSON.stringify(components),
      auto_component_id: null,
      postmortem_body: null,
      postmortem_published_at: null,
      scheduled_for: kind === 'incident' ? null : 5000,
      scheduled_until: kind === 'incident' ? null : 9000,
      started_at: 1000,
      monitoring_at: null,
      resolved_at: null,
      created_at: 1000,
      updated_at: 1000,
    });
    await db
      .insertInto('status_incidents')
      .values([
        // Its components recovered; critical was their highest.
        row('recovered', 'incident', 'critical', null, { c1: 'operational' }),
        // An override took the place of the components' impact.
        row('overridden', 'incident', 'minor', 'minor', { c1: 'major_outage', c2: 'degraded_performance' }),
        row('stated', 'incident', 'major', 'major', {}),
        row('window', 'maintenance', 'maintenance', null, { c1: 'under_maintenance' }),
      ])
      .execute();
  }

  it('gives each stored incident its peak, and a withdrawn override gives way to it', async () => {
    await seed();
    await statusPeakImpactMigration.up(db);
    const rows = await db.selectFrom('status_incidents').select(['id', 'impact', 'impact_override', 'peak_impact']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'overridden', impact: 'minor', impact_override: 'minor', peak_impact: 'critical' },
      { id: 'recovered', impact: 'critical', impact_override: null, peak_impact: 'critical' },
      { id: 'stated', impact: 'major', impact_override: 'major', peak_impact: 'none' },
      { id: 'window', impact: 'maintenance', impact_override: null, peak_impact: 'none' },
    ]);

    const repo = new IncidentRepo(t.store, new FakeClock(2000));
    expect((await repo.update('overridden', { impact_override: null }))?.impact).toBe('critical');
    expect((await repo.update('stated', { impact_override: null }))?.impact).toBe('none');
    expect((await repo.update('recovered', { body: 'Still watching.' }))?.impact).toBe('critical');
    expect((await repo.update('window', { body: 'Moved.' }))?.impact).toBe('maintenance');
  });

  it('down removes the column', async () => {
    await seed();
    await statusPeakImpactMigration.up(db);
    await statusPeakImpactMigration.down!(db);
    await expect(db.selectFrom('status_incidents').select('peak_impact').execute()).rejects.toThrow();
    expect(await db.selectFrom('status_incidents').select('id').execute()).toHaveLength(4);
  });
});
