/**
 * The stored-response table on SQLite and PostgreSQL: scoped to the organization and project, bounded by the
 * retention period (expired rows are unreadable at once and swept later), chains rebuilt in
 * order, a broken chain named in OpenAI's words; item references resolved through the item index
 * (migrations 0018 and 0019), which goes with its response (delete and sweep).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, ApiError, openStore, type Store } from 'tollgate';
import { responseSkeleton, type ResponseObject } from '../../src/responses/response-object.js';
import { inputItemsWithIds, ResponseStore } from '../../src/responses/store.js';
import { DIALECTS, type TestDatabase } from '../support/databases.js';

const DAY = 86_400_000;
/** A key's organization and project; `OTHER_PROJECT` is another project of the same organization. */
const A = { orgId: 'org-a', projectId: 'proj-a' };
const OTHER_PROJECT = { orgId: 'org-a', projectId: 'proj-a2' };
const B = { orgId: 'org-b', projectId: 'proj-b' };

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
    await responses.save({ ...A, keyId: 'key_a', input, response: response('resp_1', 'hello') });
    expect((await responses.get(A, 'resp_1')).output).toHaveLength(1);
    expect(await responses.inputItems(A, 'resp_1')).toEqual(input);
    expect(await code(responses.get(B, 'resp_1'))).toBe('response_not_found');
    expect(await code(responses.delete(B, 'resp_1'))).toBe('response_not_found');
    await responses.delete(A, 'resp_1');
    expect(await code(responses.get(A, 'resp_1'))).toBe('response_not_found');
  });

  it("another project of the same organization reaches none of a project's responses or items; an id it sends again is its own", async () => {
    const input = inputItemsWithIds([{ role: 'user', content: 'secret: 1234' }, { type: 'function_call', call_id: 'call_p', name: 'f', arguments: '{}', id: 'fc_p' }]);
    await responses.save({ ...A, keyId: 'key_a', input, response: response('resp_p1', 'noted') });
    expect(await code(responses.get(OTHER_PROJECT, 'resp_p1'))).toBe('response_not_found');
    expect(await code(responses.inputItems(OTHER_PROJECT, 'resp_p1'))).toBe('response_not_found');
    expect(await code(responses.conversation(OTHER_PROJECT, 'resp_p1'))).toBe('previous_response_not_found');
    expect(await code(responses.items(OTHER_PROJECT, ['fc_p']))).toBe('item_not_found');
    expect(await code(responses.items(OTHER_PROJECT, ['msg_resp_p1']))).toBe('item_not_found');
    expect(await code(responses.delete(OTHER_PROJECT, 'resp_p1'))).toBe('response_not_found');
    // A key without a project reaches only such keys' responses.
    expect(await code(responses.get({ orgId: 'org-a', projectId: null }, 'resp_p1'))).toBe('response_not_found');

    // The other project sends the same item id in a turn of its own: two index rows, each project resolving its own.
    await responses.save({ ...OTHER_PROJECT, keyId: 'key_a2', input: inputItemsWithIds([{ type: 'function_call', call_id: 'call_p', name: 'g', arguments: '{}', id: 'fc_p' }]), response: response('resp_p2', 'mine') });
    expect((await indexed()).filter(([, , item]) => item === 'fc_p')).toEqual([
      ['org-a', 'proj-a', 'fc_p', 'resp_p1'],
      ['org-a', 'proj-a2', 'fc_p', 'resp_p2'],
    ]);
    expect((await responses.items(A, ['fc_p'])).get('fc_p')).toMatchObject({ name: 'f' });
    expect((await responses.items(OTHER_PROJECT, ['fc_p'])).get('fc_p')).toMatchObject({ name: 'g' });

    // Its owner project still reads and deletes it.
    expect(await responses.inputItems(A, 'resp_p1')).toEqual(input);
    expect((await responses.conversation(A, 'resp_p1')).length).toBe(3);
    await responses.delete(A, 'resp_p1');
    await responses.delete(OTHER_PROJECT, 'resp_p2');
    expect(await indexed()).toEqual([]);
  });

  it('a key without a project stores and reads back its own responses', async () => {
    const none = { orgId: 'org-a', projectId: null };
    await responses.save({ ...none, keyId: 'key_old', input: inputItemsWithIds([{ role: 'user', content: 'x', id: 'msg_np' }]), response: response('resp_np', 'y') });
    expect((await responses.get(none, 'resp_np')).id).toBe('resp_np');
    expect((await responses.items(none, ['msg_np'])).size).toBe(1);
    expect(await code(responses.get(A, 'resp_np'))).toBe('response_not_found');
    await responses.delete(none, 'resp_np');
    expect(await indexed()).toEqual([]);
  });

  it('rebuilds a chain oldest first: each turn its input, then its output', async () => {
    await responses.save({ ...A, keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: 'one' }]), response: response('resp_c1', 'A') });
    await responses.save({ ...A, keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: 'two' }]), response: response('resp_c2', 'B', 'resp_c1') });
    const items = await responses.conversation(A, 'resp_c2');
    const texts = items.map((i) => ((i.content as { text: string }[])[0]!.text));
    expect(texts).toEqual(['one', 'A', 'two', 'B']);
    expect(items.every((i) => i.id === undefined)).toBe(true);
    expect(await code(responses.conversation(B, 'resp_c2'))).toBe('previous_response_not_found');
  });

  it('past the retention period a response is gone at once, and the sweeper deletes it', async () => {
    await responses.save({ ...A, keyId: 'k', input: [], response: response('resp_old', 'x') });
    await clock.advance(2 * DAY - 1);
    expect((await responses.get(A, 'resp_old')).id).toBe('resp_old');
    await clock.advance(1);
    expect(await code(responses.get(A, 'resp_old'))).toBe('response_not_found');
    expect(await code(responses.conversation(A, 'resp_old'))).toBe('previous_response_not_found');
    expect(await responses.sweep()).toBeGreaterThanOrEqual(1);
    const left = await store.db.selectFrom('stored_responses' as never).select('id' as never).execute();
    expect(left).toEqual([]);
    expect(await indexed()).toEqual([]);
  });

  /** The item index's rows, sorted. */
  async function indexed(): Promise<[string, string, string, string][]> {
    const rows = await store.db.selectFrom('stored_response_items' as never).selectAll().execute();
    return (rows as { org_id: string; project_id: string; item_id: string; response_id: string }[])
      .map((r): [string, string, string, string] => [r.org_id, r.project_id, r.item_id, r.response_id])
      .sort((a, b) => a.join().localeCompare(b.join()));
  }

  it('indexes every input and output item id with the save; resolves them for the organization only, in one call', async () => {
    const input = inputItemsWithIds([{ role: 'user', content: 'ask' }, { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', id: 'fc_1' }]);
    await responses.save({ ...A, keyId: 'k', input, response: response('resp_i1', 'answer') });
    expect(await indexed()).toEqual([['org-a', 'proj-a', 'fc_1', 'resp_i1'], ['org-a', 'proj-a', input[0]!.id as string, 'resp_i1'], ['org-a', 'proj-a', 'msg_resp_i1', 'resp_i1']].sort((a, b) => a.join().localeCompare(b.join())));
    const found = await responses.items(A, ['msg_resp_i1', 'fc_1', 'msg_resp_i1']);
    expect(found.get('msg_resp_i1')).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer', annotations: [] }] });
    expect(found.get('fc_1')).toEqual({ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' });
    expect(await code(responses.items(B, ['fc_1']))).toBe('item_not_found');
    expect(await code(responses.items(A, ['fc_1', 'fc_none']))).toBe('item_not_found');

    // An id sent again in a later turn now names that turn; deleting it leaves no index row behind.
    await responses.save({ ...A, keyId: 'k', input: inputItemsWithIds([{ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', id: 'fc_1' }]), response: response('resp_i2', 'again') });
    expect((await indexed()).filter(([, , item]) => item === 'fc_1')).toEqual([['org-a', 'proj-a', 'fc_1', 'resp_i2']]);
    await responses.delete(A, 'resp_i2');
    await responses.delete(A, 'resp_i1');
    expect(await indexed()).toEqual([]);
    expect(await code(responses.items(A, ['msg_resp_i1']))).toBe('item_not_found');
  });

  it('an expired response resolves no item, and the sweep removes its index rows in batches', async () => {
    for (const id of ['resp_s1', 'resp_s2', 'resp_s3']) await responses.save({ ...A, keyId: 'k', input: inputItemsWithIds([{ role: 'user', content: id }]), response: response(id, id) });
    expect((await responses.items(A, ['msg_resp_s1'])).size).toBe(1);
    await clock.advance(2 * DAY);
    expect(await code(responses.items(A, ['msg_resp_s1']))).toBe('item_not_found');
    expect(await responses.sweep(2)).toBe(3);
    expect(await indexed()).toEqual([]);
  });
});
