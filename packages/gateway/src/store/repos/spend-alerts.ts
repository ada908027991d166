import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, SpendAlertsTable } from '../schema.js';
import { jsonList } from './projects.js';

/**
 * A spend alert: when the month's spend of its organization (`projectId` null) or of one project
 * reaches `thresholdPico`, its recipients are notified, once per calendar month (UTC).
 */
export interface SpendAlert {
  id: string;
  orgId: string;
  /** null: the organization's spend. */
  projectId: string | null;
  /** Pico-dollars. */
  thresholdPico: bigint;
  recipients: string[];
  subjectPrefix: string | null;
  createdAt: number;
}

/** What an alert is set to (create and update take the whole of it, as OpenAI's endpoints do). */
export interface SpendAlertInput {
  thresholdPico: bigint;
  recipients: string[];
  subjectPrefix: string | null;
}

/** The alerts of one organization (`projectId` null) or of one of its projects. */
export interface AlertScope {
  orgId: string;
  projectId: string | null;
}

// The threshold read back as text: a number read from SQLite beyond 2^53 would be inexact.
const THRESHOLD_TEXT = sql<string>`CAST(threshold_pico AS TEXT)`.as('threshold_text');

function toAlert(r: Omit<SpendAlertsTable, 'threshold_pico'> & { threshold_text: string }): SpendAlert {
  return {
    id: r.id,
    orgId: r.org_id,
    projectId: r.project_id,
    thresholdPico: BigInt(r.threshold_text),
    recipients: jsonList(r.recipients),
    subjectPrefix: r.subject_prefix,
    createdAt: Number(r.created_at),
  };
}

/**
 * Spend alerts. Every read and write takes the scope: an organization's alerts are not a
 * project's, and one organization never reaches another's alert by id.
 */
export class SpendAlertRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async create(s: AlertScope, a: SpendAlertInput): Promise<SpendAlert> {
    const row = { id: newId.spendAlert(), org_id: s.orgId, project_id: s.projectId, threshold_pico: a.thresholdPico, recipients: JSON.stringify(a.recipients), subject_prefix: a.subjectPrefix, created_at: this.clock.now() };
    await this.db.insertInto('spend_alerts').values(row).execute();
    return { id: row.id, orgId: s.orgId, projectId: s.projectId, ...a, createdAt: row.created_at };
  }

  async get(s: AlertScope, id: string): Promise<SpendAlert | undefined> {
    const r = await this.scoped(s).where('id', '=', id).executeTakeFirst();
    return r && toAlert(r);
  }

  /**
   * Alerts in creation order (`asc`) or newest first (`desc`); `after` pages on in that order,
   * `before` gives the page just ahead of its cursor (still in that order).
   */
  async list(s: AlertScope, page: PageRequest & { before?: string }, order: 'asc' | 'desc'): Promise<Page<SpendAlert>> {
    const cursor = async (id: string) => this.scoped(s).where('id', '=', id).executeTakeFirst();
    if (page.after === undefined && page.before !== undefined) {
      // The page just ahead of `before`: read away from it in the other direction, shown in `order`.
      const back = order === 'asc' ? 'desc' : 'asc';
      const p = await keysetPage(this.scoped(s), { limit: page.limit, after: page.before }, { created: 'created_at', id: 'id', direction: back }, cursor, toAlert);
      return { ...p, items: p.items.reverse() };
    }
    return keysetPage(this.scoped(s), page, { created: 'created_at', id: 'id', direction: order }, cursor, toAlert);
  }

  /**
   * Replaces what the alert is set to; undefined when there is no such alert. A changed threshold
   * re-arms it for the current period `period` (its notification there, if any, is forgotten).
   */
  async update(s: AlertScope, id: string, a: SpendAlertInput, period: string): Promise<SpendAlert | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.scoped(s, trx).where('id', '=', id).executeTakeFirst();
      if (!before) return undefined;
      await trx.updateTable('spend_alerts').set({ threshold_pico: a.thresholdPico, recipients: JSON.stringify(a.recipients), subject_prefix: a.subjectPrefix }).where('id', '=', id).execute();
      if (BigInt(before.threshold_text) !== a.thresholdPico) await trx.deleteFrom('spend_alert_notifications').where('alert_id', '=', id).where('period', '=', period).execute();
      return { ...toAlert(before), ...a };
    });
  }

  /** Deletes the alert and its notifications; false when there was none. */
  async delete(s: AlertScope, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('spend_alerts')
        .where('id', '=', id)
        .where('org_id', '=', s.orgId)
        .where((eb) => (s.projectId === null ? eb('project_id', 'is', null) : eb('project_id', '=', s.projectId)))
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await trx.deleteFrom('spend_alert_notifications').where('alert_id', '=', id).execute();
      return true;
    });
  }

  /** Every alert of an organization, its own and its projects' (what the request path checks). */
  async ofOrganization(orgId: string): Promise<SpendAlert[]> {
    const rows = await this.db.selectFrom('spend_alerts').selectAll().select(THRESHOLD_TEXT).where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toAlert);
  }

  private scoped(s: AlertScope, db: Kysely<Database> = this.db) {
    const q = db.selectFrom('spend_alerts').selectAll().select(THRESHOLD_TEXT).where('org_id', '=', s.orgId);
    return s.projectId === null ? q.where('project_id', 'is', null) : q.where('project_id', '=', s.projectId);
  }
}
