/**
 * Stored responses belong to a project, as on OpenAI: in one organization with two projects, a
 * key of the other project gets, for a response of the first, exactly what an unknown id gets —
 * 404 on retrieve, input items and delete, 400 previous_response_not_found on
 * `previous_response_id`, 404 "Item with id … not found." on an item reference (the official SDK's
 * and the Vercel AI SDK's) — and changes nothing; every key of the first project reaches it.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, type ModelMessage } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { rejection } from '../support/rejection.js';

let gw: TestGateway;
let tenant: Tenant;
/** Two keys of the Default project, and a key of another project of the same organization. */
let ownerA: OpenAI;
let secondA: OpenAI;
let otherProject: OpenAI;
let otherProjectKey: string;

beforeAll(async () => {
  gw = await startTestGateway();
  tenant = await gw.newTenant('two-projects', { adminKey: true });
  const created = await fetch(`${gw.baseURL}/organization/projects`, { method: 'POST', headers: { authorization: `Bearer ${tenant.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Other' }) });
  expect(created.status).toBe(200);
  const project = (await created.json()) as { id: string };
  const key = async (projectId?: string) => {
    const r = await gw.admin('POST', '/admin/v1/keys', { organization_id: tenant.orgId, user_id: tenant.userId, name: 'k', ...(projectId && { project_id: projectId }) });
    expect(r.status).toBe(200);
    return r.body.key as string;
  };
  otherProjectKey = await key(project.id);
  const client = (apiKey: string) => new OpenAI({ baseURL: gw.baseURL, apiKey, maxRetries: 0 });
  ownerA = client(tenant.apiKey);
  secondA = client(await key());
  otherProject = client(otherProjectKey);
});
afterAll(() => gw.close());

const refused = (p: Promise<unknown>) => rejection<InstanceType<typeof OpenAI.APIError>>(p);

const notFound = (id: string) => ({ message: `Response with id '${id}' not found.`, type: 'invalid_request_error', param: null, code: null });
const itemNotFound = (id: string) => ({ message: `Item with id '${id}' not found.`, type: 'invalid_request_error', param: 'input', code: null });
const previousNotFound = (id: string) => ({ message: `Previous response with id '${id}' not found.`, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' });

/** Every way a key can reach a stored response and its items, each expected to be refused as for an unknown id. */
async function expectUnreachable(client: OpenAI, id: string, itemIds: string[]): Promise<void> {
  for (const call of [() => client.responses.retrieve(id), () => client.responses.inputItems.list(id), () => client.responses.delete(id)]) {
    const e = await refused(call());
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.error).toEqual(notFound(id));
  }
  const prev = await refused(client.responses.create({ model: 'sim-small', previous_response_id: id, input: 'What was the secret?', max_output_tokens: 16 }));
  expect(prev.status).toBe(400);
  expect(prev.error).toEqual(previousNotFound(id));
  for (const itemId of itemIds) {
    const e = await refused(client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id: itemId }, { role: 'user', content: 'Repeat it.' }], max_output_tokens: 16 }));
    expect(e.status).toBe(404);
    expect(e.error).toEqual(itemNotFound(itemId));
  }
}

describe('stored responses between two projects of one organization', () => {
  it('another project gets 404 on retrieve, input items, delete and item references, 400 on previous_response_id; the owner project keeps everything', async () => {
    const r = await ownerA.responses.create({ model: 'sim-small', input: 'secret: 1234', max_output_tokens: 16 });
    const inputId = (await ownerA.responses.inputItems.list(r.id)).data[0]!.id;
    const outputId = r.output[0]!.id!;
    const unknown = 'resp_' + '0'.repeat(48);

    await expectUnreachable(otherProject, r.id, [inputId, outputId]);
    // The same answers as for an id that never existed.
    expect((await refused(otherProject.responses.retrieve(unknown))).error).toEqual(notFound(unknown));

    // Nothing was deleted: the owner's key and a second key of the same project reach it all.
    for (const client of [ownerA, secondA]) {
      expect((await client.responses.retrieve(r.id)).id).toBe(r.id);
      const items = await client.responses.inputItems.list(r.id);
      expect(items.data).toHaveLength(1);
      expect(JSON.stringify(items.data[0])).toContain('secret: 1234');
      const next = await client.responses.create({ model: 'sim-small', previous_response_id: r.id, input: 'And again?', max_output_tokens: 16 });
      expect(next.previous_response_id).toBe(r.id);
      const ref = await client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id: inputId }, { type: 'item_reference', id: outputId }, { role: 'user', content: 'Repeat it.' }], max_output_tokens: 16 });
      expect(ref.output.length).toBeGreaterThan(0);
    }
    expect(await secondA.responses.delete(r.id)).toEqual({ id: r.id, object: 'response.deleted', deleted: true });
    expect((await refused(ownerA.responses.retrieve(r.id))).error).toEqual(notFound(r.id));
  });

  it("the other project's own responses are its own: the Default project cannot reach them", async () => {
    const r = await otherProject.responses.create({ model: 'sim-small', input: 'other secret', max_output_tokens: 16 });
    const inputId = (await otherProject.responses.inputItems.list(r.id)).data[0]!.id;
    await expectUnreachable(ownerA, r.id, [inputId, r.output[0]!.id!]);
    expect((await otherProject.responses.retrieve(r.id)).id).toBe(r.id);
  });

  it("the Vercel AI SDK's item references to another project's answer are 404", async () => {
    const sent: { input: { type?: string; id?: string }[] }[] = [];
    const ai = (apiKey: string) =>
      createOpenAI({
        baseURL: gw.baseURL,
        apiKey,
        fetch: (input, init) => {
          if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as (typeof sent)[number]);
          return fetch(input, init);
        },
      });
    const first = await generateText({ model: ai(tenant.apiKey)('sim-small'), prompt: 'secret: 1234', maxOutputTokens: 16 });
    const answerId = (await ownerA.responses.retrieve(first.response.id)).output[0]!.id!;
    const messages: ModelMessage[] = [{ role: 'user', content: 'secret: 1234' }, ...first.response.messages, { role: 'user', content: 'What was it?' }];
    const error = await rejection(generateText({ model: ai(otherProjectKey)('sim-small'), messages, maxOutputTokens: 16, maxRetries: 0 }));
    expect(sent.at(-1)!.input.filter((i) => i.type === 'item_reference').map((i) => i.id)).toEqual([answerId]);
    expect(APICallError.isInstance(error)).toBe(true);
    const e = error as APICallError;
    expect(e.statusCode).toBe(404);
    expect(JSON.parse(e.responseBody!)).toEqual({ error: itemNotFound(answerId) });
    // The owner project's next turn, references and all, goes through.
    const owner = await generateText({ model: ai(tenant.apiKey)('sim-small'), messages, maxOutputTokens: 16 });
    expect(owner.text.length).toBeGreaterThan(0);
  });
});
