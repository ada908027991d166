/**
 * Stored responses (migration 0005): saved when a response finishes with `store` on, read back
 * by id, by input items and along `previous_response_id` chains. Every read is scoped to the
 * caller's organization and ignores rows past their expiry, so another organization's id and an
 * expired one look the same: not found.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DbInt } from '../store/billing-tables.js';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import { ApiError } from '../errors/api-error.js';
import { deleteInBatches } from '../store/batch-delete.js';
import type { Store } from '../store/index.js';
import { newResponseId, type ResponseObject } from './response-object.js';

type Obj = Record<string, unknown>;

interface StoredResponsesTable {
  id: string;
  org_id: string;
  key_id: string;
  model: string;
  previous_response_id: string | null;
  input_items: string;
  response: string;
  created_at: DbInt;
  expires_at: DbInt;
}

interface ResponsesDb {
  stored_responses: StoredResponsesTable;
}

const DAY_MS = 86_400_000;
/** The longest chain followed: a loop guard, far beyond what a context window holds. */
const MAX_CHAIN = 10_000;

export interface SaveInput {
  orgId: string;
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

  async save(s: SaveInput): Promise<void> {
    const now = this.opts.clock.now();
    const r = s.response;
    await this.db
      .insertInto('stored_responses')
      .values({
        id: r.id,
        org_id: s.orgId,
        key_id: s.keyId,
        model: r.model,
        previous_response_id: typeof r.previous_response_id === 'string' ? r.previous_response_id : null,
        input_items: JSON.stringify(s.input),
        response: JSON.stringify(r),
        created_at: now,
        expires_at: now + this.opts.retentionDays * DAY_MS,
      })
      .execute();
  }

  /** The response, or throws response_not_found. */
  async get(orgId: string, id: string): Promise<ResponseObject> {
    const row = await this.row(orgId, id, ['response']);
    if (!row) throw new ApiError('response_not_found', { id });
    return JSON.parse(row.response) as ResponseObject;
  }

  /** This turn's input items, or throws response_not_found. */
  async inputItems(orgId: string, id: string): Promise<Obj[]> {
    const row = await this.row(orgId, id, ['input_items']);
    if (!row) throw new ApiError('response_not_found', { id });
    return JSON.parse(row.input_items) as Obj[];
  }

  /** Deletes the response; throws response_not_found when there is none to delete. */
  async delete(orgId: string, id: string): Promise<void> {
    const r = await this.db.deleteFrom('stored_responses').where('id', '=', id).where('org_id', '=', orgId).where('expires_at', '>', this.opts.clock.now()).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new ApiError('response_not_found', { id });
  }

  /**
   * The conversation up to and including response `id`: each turn's input items, then its
   * output items, oldest first (ids left out: they name items of this store, not the engine's).
   * Throws previous_response_not_found when `id` (or a turn it chains from) is not visible.
   */
  async conversation(orgId: string, id: string): Promise<Obj[]> {
    const turns: Obj[][] = [];
    let next: string | null = id;
    while (next !== null && turns.length < MAX_CHAIN) {
      const row: Pick<StoredResponsesTable, 'input_items' | 'response' | 'previous_response_id'> | undefined = await this.row(orgId, next, ['input_items', 'response', 'previous_response_id']);
      if (!row) throw new ApiError('previous_response_not_found', { id: next }, { param: 'previous_response_id' });
      const response = JSON.parse(row.response) as ResponseObject;
      turns.push([...(JSON.parse(row.input_items) as Obj[]), ...response.output]);
      next = row.previous_response_id;
    }
    return turns.reverse().flat().map(withoutId);
  }

  /** Deletes expired rows in small batches; returns how many. */
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

  private async row<K extends keyof StoredResponsesTable>(orgId: string, id: string, cols: K[]): Promise<Pick<StoredResponsesTable, K> | undefined> {
    return this.db
      .selectFrom('stored_responses')
      .select(cols)
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('expires_at', '>', this.opts.clock.now())
      .executeTakeFirst() as Promise<Pick<StoredResponsesTable, K> | undefined>;
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

function withoutId(item: Obj): Obj {
  const { id: _id, status: _status, ...rest } = item;
  return rest;
}
