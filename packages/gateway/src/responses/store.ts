/**
 * Stored responses (migration 0005): saved when a response finishes with `store` on, read back
 * by id, by input items, along `previous_response_id` chains and by item reference. Every read,
 * reference and delete is scoped to the calling key's organization and project (migration 0019),
 * as OpenAI scopes stored objects to a project, and ignores rows past their expiry, so another
 * project's or organization's id and an expired one look the same: not found.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DbInt } from '../store/billing-tables.js';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import { ApiError } from '../errors/api-error.js';
import { deleteInBatches } from '../store/batch-delete.js';
import { NO_PROJECT } from '../store/migrations/0019_response_projects.js';
import type { Store } from '../store/index.js';
import { newResponseId, type ResponseObject } from './response-object.js';

type Obj = Record<string, unknown>;

interface StoredResponsesTable {
  id: string;
  org_id: string;
  /** Migration 0019: the creating key's project; `''` for a key without one. */
  project_id: string;
  key_id: string;
  model: string;
  previous_response_id: string | null;
  input_items: string;
  response: string;
  created_at: DbInt;
  expires_at: DbInt;
}

/** Migrations 0018 and 0019: which stored response holds each item id, per organization and project. */
interface StoredResponseItemsTable {
  org_id: string;
  project_id: string;
  item_id: string;
  response_id: string;
}

interface ResponsesDb {
  stored_responses: StoredResponsesTable;
  stored_response_items: StoredResponseItemsTable;
}

const DAY_MS = 86_400_000;
/** The longest chain followed: a loop guard, far beyond what a context window holds. */
const MAX_CHAIN = 10_000;
/** Index rows per INSERT: four parameters each, far below SQLite's and PostgreSQL's limits. */
const INSERT_ROWS = 500;

/**
 * Whose stored responses: the calling key's organization and project (null: a key without one,
 * which reaches only the responses of such keys of its organization). A `CallerIdentity` is one.
 */
export interface Owner {
  orgId: string;
  projectId: string | null;
}

export interface SaveInput extends Owner {
  keyId: string;
  /** This turn's input items, as `inputItemsWithIds` gave them. */
  input: Obj[];
  response: ResponseObject;
}

export class ResponseStore {
  private readonly db: Kysely<ResponsesDb>;

  constructor(
    store: Store,
    private readonly opts: { clock: Clock; retentionDays: number },
  ) {
    this.db = store.db as unknown as Kysely<ResponsesDb>;
  }

  /**
   * Saves the response and indexes its items (this turn's input and the output) by id, in one
   * transaction. An id already indexed (a caller may send an item with an id again) now names
   * this response: the newest holder of an id answers its references.
   */
  async save(s: SaveInput): Promise<void> {
    const now = this.opts.clock.now();
    const r = s.response;
    const scope = scopeOf(s);
    const items = [...new Set([...s.input, ...r.output].map((i) => i.id).filter((id): id is string => typeof id === 'string'))].map((item_id) => ({ ...scope, item_id, response_id: r.id }));
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('stored_responses')
        .values({
          id: r.id,
          ...scope,
          key_id: s.keyId,
          model: r.model,
          previous_response_id: typeof r.previous_response_id === 'string' ? r.previous_response_id : null,
          input_items: JSON.stringify(s.input),
          response: JSON.stringify(r),
          created_at: now,
          expires_at: now + this.opts.retentionDays * DAY_MS,
        })
        .execute();
      for (let i = 0; i < items.length; i += INSERT_ROWS) {
        await trx
          .insertInto('stored_response_items')
          .values(items.slice(i, i + INSERT_ROWS))
          .onConflict((oc) => oc.columns(['org_id', 'project_id', 'item_id']).doUpdateSet((eb) => ({ response_id: eb.ref('excluded.response_id') })))
          .execute();
      }
    });
  }

  /**
   * The stored items of the owner named by `ids` (item references), by id, without their `id`
   * and `status` (as `conversation` gives them), in one query. Throws item_not_found for the
   * first id that names no item the owner can see (unknown, another project's or organization's,
   * its response deleted or expired).
   */
  async items(owner: Owner, ids: readonly string[]): Promise<Map<string, Obj>> {
    const wanted = [...new Set(ids)];
    const found = new Map<string, Obj>();
    if (wanted.length === 0) return found;
    const { org_id, project_id } = scopeOf(owner);
    const rows = await this.visible(owner)
      .select(['input_items', 'response'])
      .where('id', 'in', (eb) => eb.selectFrom('stored_response_items').select('response_id').where('org_id', '=', org_id).where('project_id', '=', project_id).where('item_id', 'in', wanted))
      .execute();
    const want = new Set(wanted);
    for (const row of rows) {
      const response = JSON.parse(row.response) as ResponseObject;
      for (const item of [...(JSON.parse(row.input_items) as Obj[]), ...response.output]) {
        if (typeof item.id === 'string' && want.has(item.id)) found.set(item.id, withoutId(item));
      }
    }
    const missingId = wanted.find((id) => !found.has(id));
    if (missingId !== undefined) throw new ApiError('item_not_found', { id: missingId });
    return found;
  }

  /** The response, or throws response_not_found. */
  async get(owner: Owner, id: string): Promise<ResponseObject> {
    const row = await this.row(owner, id, ['response']);
    if (!row) throw new ApiError('response_not_found', { id });
    return JSON.parse(row.response) as ResponseObject;
  }

  /** This turn's input items, or throws response_not_found. */
  async inputItems(owner: Owner, id: string): Promise<Obj[]> {
    const row = await this.row(owner, id, ['input_items']);
    if (!row) throw new ApiError('response_not_found', { id });
    return JSON.parse(row.input_items) as Obj[];
  }

  /** Deletes the response (its items' index rows go with it: migration 0018's cascade); throws response_not_found when there is none to delete. */
  async delete(owner: Owner, id: string): Promise<void> {
    const { org_id, project_id } = scopeOf(owner);
    const r = await this.db
      .deleteFrom('stored_responses')
      .where('id', '=', id)
      .where('org_id', '=', org_id)
      .where('project_id', '=', project_id)
      .where('expires_at', '>', this.opts.clock.now())
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new ApiError('response_not_found', { id });
  }

  /**
   * The conversation up to and including response `id`: each turn's input items, then its
   * output items, oldest first (ids left out: they name items of this store, not the engine's).
   * Throws previous_response_not_found when `id` (or a turn it chains from) is not visible.
   */
  async conversation(owner: Owner, id: string): Promise<Obj[]> {
    const turns: Obj[][] = [];
    let next: string | null = id;
    while (next !== null && turns.length < MAX_CHAIN) {
      const row: Pick<StoredResponsesTable, 'input_items' | 'response' | 'previous_response_id'> | undefined = await this.row(owner, next, ['input_items', 'response', 'previous_response_id']);
      if (!row) throw new ApiError('previous_response_not_found', { id: next }, { param: 'previous_response_id' });
      const response = JSON.parse(row.response) as ResponseObject;
      turns.push([...(JSON.parse(row.input_items) as Obj[]), ...response.output]);
      next = row.previous_response_id;
    }
    return turns.reverse().flat().map(withoutId);
  }

  /** Deletes expired rows in small batches (their items' index rows by cascade); returns how many. */
  async sweep(batch = 1000): Promise<number> {
    return deleteInBatches(this.db, { table: 'stored_responses', key: 'id' }, ['expires_at', '<=', this.opts.clock.now()], batch);
  }

  /** Runs `sweep` now and then every `intervalMs` until stopped. */
  startSweeper(log: Pick<Logger, 'info' | 'warn'>, intervalMs = 3_600_000): { stop(): void } {
    const ac = new AbortController();
    const failures = new RepeatingFailureLog(log, this.opts.clock, { job: 'stored-response retention', message: 'stored-response retention failed; retrying at the next interval' });
    void (async () => {
      while (!ac.signal.aborted) {
        await failures.attempt(async () => {
          const n = await this.sweep();
          if (n > 0) log.info({ deleted: n }, 'stored responses past their retention deleted');
        });
        await this.opts.clock.sleep(intervalMs, ac.signal).catch(() => undefined);
      }
    })();
    return { stop: () => ac.abort() };
  }

  private async row<K extends keyof StoredResponsesTable>(owner: Owner, id: string, cols: K[]): Promise<Pick<StoredResponsesTable, K> | undefined> {
    return this.visible(owner).select(cols).where('id', '=', id).executeTakeFirst() as Promise<Pick<StoredResponsesTable, K> | undefined>;
  }

  /** The stored responses the owner can see: its organization's and project's, within retention. */
  private visible(owner: Owner) {
    const { org_id, project_id } = scopeOf(owner);
    return this.db.selectFrom('stored_responses').where('org_id', '=', org_id).where('project_id', '=', project_id).where('expires_at', '>', this.opts.clock.now());
  }
}

/**
 * Input items as stored and listed: each with an id (`msg_…`, `fc_…`, `fco_…`-style), messages
 * with their content as a list of parts (a string becomes one `input_text` part).
 */
export function inputItemsWithIds(items: readonly Obj[]): Obj[] {
  return items.map((item) => {
    const type = typeof item.type === 'string' ? item.type : 'message';
    const out: Obj = { ...item, type };
    if (typeof out.id !== 'string') out.id = newResponseId(type === 'message' ? 'msg' : type === 'function_call' ? 'fc' : 'item');
    if (type === 'message') {
      if (typeof item.content === 'string') out.content = [{ type: 'input_text', text: item.content }];
      out.status ??= 'completed';
    }
    return out;
  });
}

/** The owner as the tables' columns. */
function scopeOf(owner: Owner): { org_id: string; project_id: string } {
  return { org_id: owner.orgId, project_id: owner.projectId ?? NO_PROJECT };
}

function withoutId(item: Obj): Obj {
  const { id: _id, status: _status, ...rest } = item;
  return rest;
}
