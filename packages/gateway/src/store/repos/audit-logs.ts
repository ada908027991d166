import type { Kysely, Selectable } from 'kysely';
import { newId } from '../ids.js';
import { keysetPage, type Page } from '../paging.js';
import type { AuditLogsTable, Database } from '../schema.js';

/** One audit log entry; `actor` and `details` are the JSON objects the API shows. */
export interface AuditLogRecord {
  id: string;
  orgId: string;
  type: string;
  effectiveAt: number;
  projectId: string | null;
  actorId: string;
  actorEmail: string | null;
  actor: Record<string, unknown>;
  objectId: string;
  details: Record<string, unknown>;
}

export type NewAuditLog = Omit<AuditLogRecord, 'id'>;

/** The audit log list's filters (OpenAI's): every given one must match; times in epoch ms. */
export interface AuditLogFilter {
  types?: string[];
  actorIds?: string[];
  actorEmails?: string[];
  projectIds?: string[];
  resourceIds?: string[];
  effectiveAt?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

function toRecord(r: Selectable<AuditLogsTable>): AuditLogRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    type: r.type,
    effectiveAt: Number(r.effective_at),
    projectId: r.project_id,
    actorId: r.actor_id,
    actorEmail: r.actor_email,
    actor: JSON.parse(r.actor) as Record<string, unknown>,
    objectId: r.object_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

/** The audit log: append-only, listed newest first. */
export class AuditLogRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends an entry; pass a transaction to commit it with the change it records. */
  async insert(e: NewAuditLog, executor: Kysely<Database> = this.db): Promise<AuditLogRecord> {
    const row: Selectable<AuditLogsTable> = {
      id: newId.auditLog(),
      org_id: e.orgId,
      type: e.type,
      effective_at: e.effectiveAt,
      project_id: e.projectId,
      actor_id: e.actorId,
      actor_email: e.actorEmail,
      actor: JSON.stringify(e.actor),
      object_id: e.objectId,
      details: JSON.stringify(e.details),
    };
    await executor.insertInto('audit_logs').values(row).execute();
    return toRecord(row);
  }

  /**
   * Entries of one organization, newest first. `after` pages towards older entries, `before`
   * towards newer ones (the page just newer than the cursor, still newest first).
   */
  async list(orgId: string, f: AuditLogFilter, page: { limit: number; after?: string; before?: string }): Promise<Page<AuditLogRecord>> {
    let q = this.db.selectFrom('audit_logs').selectAll().where('org_id', '=', orgId);
    if (f.types?.length) q = q.where('type', 'in', f.types);
    if (f.actorIds?.length) q = q.where('actor_id', 'in', f.actorIds);
    if (f.actorEmails?.length) q = q.where('actor_email', 'in', f.actorEmails.map((x) => x.toLowerCase()));
    if (f.projectIds?.length) q = q.where('project_id', 'in', f.projectIds);
    if (f.resourceIds?.length) q = q.where('object_id', 'in', f.resourceIds);
    const t = f.effectiveAt ?? {};
    if (t.gt !== undefined) q = q.where('effective_at', '>', t.gt);
    if (t.gte !== undefined) q = q.where('effective_at', '>=', t.gte);
    if (t.lt !== undefined) q = q.where('effective_at', '<', t.lt);
    if (t.lte !== undefined) q = q.where('effective_at', '<=', t.lte);
    const cursor = (id: string) => this.db.selectFrom('audit_logs').select(['effective_at as created_at', 'id']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    if (page.after === undefined && page.before !== undefined) {
      // The entries just newer than `before`: read oldest first from it, shown newest first.
      const p = await keysetPage(q, { limit: page.limit, after: page.before }, { created: 'effective_at', id: 'id', direction: 'asc' }, cursor, toRecord);
      return { ...p, items: p.items.reverse() };
    }
    return keysetPage(q, page, { created: 'effective_at', id: 'id', direction: 'desc' }, cursor, toRecord);
  }
}
