/**
 * The stored-response table on SQLite and PostgreSQL: scoped to the organization, bounded by the
 * retention period (expired rows are unreadable at once and swept later), chains rebuilt in
 * order, a broken chain named in OpenAI's words; item references resolved through the item index
 * (migration 0018), which goes with its response (delete and sweep).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, ApiError, openStore, type Store } from 'tollgate';
import { responseSkeleton, type ResponseObject } from '../../src/responses/response-object.js';
import { inputItemsWithIds, ResponseStore } from '../../src/responses/store.js';
import { DIALECTS, type TestDatabase } from '../support/databases.js';

const DAY = 86_400_000;

function response(id: string, text: string, previous: string | null = null): ResponseObject {
  const r = responseSkeleton({ previous_response_id: previous }, id, 1, 'sim-small');
  r.status = 'completed';
  r.output.push({ id: `msg_${id}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
  return r;
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof ApiError ? e.entry.id : String(e);
  }
  return undefined;
}

describe.each(DIALECTS)('stored responses on %s', (_dialect, make) => {
  let db: TestDatabase;
  let store: Store;
  let responses: ResponseStore;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    db = make();
    store = await openStore(db.url, { clock });
    responses = new ResponseStore(store, { clock, retentionDays: 2 });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('saves, reads back, lists input items with ids, and deletes, for one organization only', async () => {
    const input = inputItemsWithIds([{ role: 'user', content: 'hi' }]);
    expect(input[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }], status: 'completed' });
    expect(input[0]!.id).toMatch(/^msg_/);
    await responses.save({ orgId: 'org-a', keyId: 'key_a', input, response: response('resp_1', 'hello') });
    expect((await responses.get('org-a', 'resp_1')).output).toHaveLength(1);
    expect(await responses.inputItems('org-a', 'resp_1')).toEqual(input);
    expect(await code(responses.get('org-b', 'resp_1'))).toBe('response_not_found');
    expect(await code(responses.delete('org-b', 'resp_1'))).toBe('response_not_found');
    await responses.delete('org-a', 'resp_1');
    expect(await code(responses.get('org-a', 'resp_1'))).toBe('response_not_found');
  });

  it('rebuilds a chain oldest first: each turn its input, then its output', async () => {
    await responses.save({ orgId: 'org-a', keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: 'one' }]), response: response('resp_c1', 'A') });
    await responses.save({ orgId: 'org-a', keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: 'two' }]), response: response('resp_c2', 'B', 'resp_c1') });
    const items = await responses.conversation('org-a', 'resp_c2');
    const texts = items.map((i) => ((i.content as { text: string }[])[0]!.text));
    expect(texts).toEqual(['one', 'A', 'two', 'B']);
    expect(items.every((i) => i.id === undefined)).toBe(true);
    expect(await code(responses.conversation('org-b', 'resp_c2'))).toBe('previous_response_not_found');
  });

  it('past the retention period a response is gone at once, and the sweeper deletes it', async () => {
    await responses.save({ orgId: 'org-a', keyId: 'k', input: [], response: response('resp_old', 'x') });
    await clock.advance(2 * DAY - 1);
    expect((await responses.get('org-a', 'resp_old')).id).toBe('resp_old');
    await clock.advance(1);
    expect(await code(responses.get('org-a', 'resp_old'))).toBe('response_not_found');
    expect(await code(responses.conversation('org-a', 'resp_old'))).toBe('previous_response_not_found');
    expect(await responses.sweep()).toBeGreaterThanOrEqual(1);
    const left = await store.db.selectFrom('stored_responses' as never).select('id' as never).execute();
    expect(left).toEqual([]);
    expect(await indexed()).toEqual([]);
  });

  /** The item index's rows, sorted. */
  async function indexed(): Promise<[string, string, string][]> {
    const rows = await store.db.selectFrom('stored_response_items' as never).selectAll().execute();
    return (rows as { org_id: string; item_id: string; response_id: string }[]).map((r): [string, string, string] => [r.org_id, r.item_id, r.response_id]).sort((a, b) => a.join().localeCompare(b.join()));
  }

  it('indexes every input and output item id with the save; resolves them for the organization only, in one call', async () => {
    const input = inputItemsWithIds([{ role: 'user', content: 'ask' }, { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', id: 'fc_1' }]);
    await responses.save({ orgId: 'org-a', keyId: 'k', input, response: response('resp_i1', 'answer') });
    expect(await indexed()).toEqual([['org-a', 'fc_1', 'resp_i1'], ['org-a', input[0]!.id as string, 'resp_i1'], ['org-a', 'msg_resp_i1', 'resp_i1']].sort((a, b) => a.join().localeCompare(b.join())));
    const found = await responses.items('org-a', ['msg_resp_i1', 'fc_1', 'msg_resp_i1']);
    expect(found.get('msg_resp_i1')).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer', annotations: [] }] });
    expect(found.get('fc_1')).toEqual({ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' });
    expect(await code(responses.items('org-b', ['fc_1']))).toBe('item_not_found');
    expect(await code(responses.items('org-a', ['fc_1', 'fc_none']))).toBe('item_not_found');

    // An id sent again in a later turn now names that turn; deleting it leaves no index row behind.
    await responses.save({ orgId: 'org-a', keyId: 'k', input: inputItemsWithIds([{ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', id: 'fc_1' }]), response: response('resp_i2', 'again') });
    expect((await indexed()).filter(([, item]) => item === 'fc_1')).toEqual([['org-a', 'fc_1', 'resp_i2']]);
    await responses.delete('org-a', 'resp_i2');
    await responses.delete('org-a', 'resp_i1');
    expect(await indexed()).toEqual([]);
    expect(await code(responses.items('org-a', ['msg_resp_i1']))).toBe('item_not_found');
  });

  it('an expired response resolves no item, and the sweep removes its index rows in batches', async () => {
    for (const id of ['resp_s1', 'resp_s2', 'resp_s3']) await responses.save({ orgId: 'org-a', keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: id }]), response: response(id, id) });
    expect((await responses.items('org-a', ['msg_resp_s1'])).size).toBe(1);
    await clock.advance(2 * DAY);
    expect(await code(responses.items('org-a', ['msg_resp_s1']))).toBe('item_not_found');
    expect(await responses.sweep(2)).toBe(3);
    expect(await indexed()).toEqual([]);
  });
});
