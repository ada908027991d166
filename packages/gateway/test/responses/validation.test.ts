/**
 * Validation of POST /v1/responses: OpenAI's status, code, param and wording, through the
 * official SDK, and nothing is charged for a refused request.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { rejection } from '../support/rejection.js';

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
});
afterAll(() => gw.close());

async function refusal(body: Record<string, unknown>) {
  try {
    await client.responses.create(body as never);
  } catch (e) {
    const err = e as InstanceType<typeof OpenAI.APIError>;
    return { status: err.status, code: err.code, param: err.param, message: (err.error as { message: string }).message };
  }
  throw new Error('expected a refusal');
}

describe('POST /v1/responses refuses in OpenAI words', () => {
  it.each([
    [{ input: 'x' }, 400, 'missing_required_parameter', 'model', "Missing required parameter: 'model'."],
    [{ model: 'sim-small' }, 400, 'missing_required_parameter', 'input', "Missing required parameter: 'input'."],
    [{ model: 'sim-small', input: 'x', max_output_tokens: 5 }, 400, 'integer_below_min_value', 'max_output_tokens', "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead."],
    [{ model: 'sim-small', input: 'x', messages: [] }, 400, 'unknown_parameter', 'messages', "Unknown parameter: 'messages'."],
    [{ model: 'sim-small', input: 'x', tools: [{ type: 'function', name: 'f', container: { type: 'auto' } }] }, 400, 'unknown_parameter', 'tools[0].container', "Unknown parameter: 'tools[0].container'."],
    [{ model: 'sim-small', input: 'x', tools: [{ type: 'web_search' }] }, 400, 'invalid_value', 'tools[0].type', "Invalid value: 'web_search'. Supported values are: 'function'."],
    [{ model: 'sim-small', input: [{ role: 'robot', content: 'x' }] }, 400, 'invalid_value', 'input[0].role', null],
    [{ model: 'sim-small', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 400, 'missing_required_parameter', 'input[0].content[0].text', "Missing required parameter: 'input[0].content[0].text'."],
    [{ model: 'sim-small', input: 'x', temperature: 3 }, 400, 'decimal_above_max_value', 'temperature', null],
    [{ model: 'sim-small', input: 'x', text: { format: { type: 'json_schema', name: 'x' } } }, 400, 'missing_required_parameter', 'text.format.schema', null],
    [{ model: 'sim-small', input: 'x', tool_choice: { type: 'function' } }, 400, 'missing_required_parameter', 'tool_choice.name', null],
    [{ model: 'nope', input: 'x' }, 404, 'model_not_found', null, 'The model `nope` does not exist or you do not have access to it.'],
    [{ model: 'sim-embed', input: 'x' }, 404, null, 'model', 'This is not a chat model and thus not supported in the v1/responses endpoint. Did you mean to use v1/embeddings?'],
    [{ model: 'sim-small', input: 'x', previous_response_id: 'resp_missing' }, 400, 'previous_response_not_found', 'previous_response_id', "Previous response with id 'resp_missing' not found."],
    [{ model: 'sim-small', input: 'x', max_output_tokens: 5000 }, 400, 'integer_above_max_value', 'max_output_tokens', null],
  ])('%j', async (body, status, code, param, message) => {
    const r = await refusal(body);
    expect(r.status).toBe(status);
    expect(r.code).toBe(code);
    expect(r.param).toBe(param);
    if (message) expect(r.message).toBe(message);
  });

  it("an unknown parameter is the SDK's BadRequestError in the Responses API's words, not Chat Completions'", async () => {
    const e = await client.responses.create({ model: 'sim-small', input: 'hi', bogus: 1 } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    const err = e as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.code).toBe('unknown_parameter');
    expect(err.param).toBe('bogus');
    expect(err.message).toBe("400 Unknown parameter: 'bogus'.");
    // Several: the first is named (Chat Completions lists them all, sorted).
    expect(await refusal({ model: 'sim-small', input: 'hi', zeta: 1, alpha: 2 })).toMatchObject({ code: 'unknown_parameter', param: 'zeta', message: "Unknown parameter: 'zeta'." });
    // The names openai-node 6.49 gives a function tool are all known.
    const tool = { type: 'function', name: 'f', description: 'd', parameters: { type: 'object', properties: {} }, strict: false, defer_loading: false, allowed_callers: ['direct'], output_schema: null };
    expect((await client.responses.create({ model: 'sim-small', input: 'hi', max_output_tokens: 16, tools: [tool] } as never)).object).toBe('response');
  });

  it('refuses an input longer than the context window', async () => {
    const r = await refusal({ model: 'sim-small', input: 'word '.repeat(9000) });
    expect(r.status).toBe(400);
    expect(r.code).toBe('context_length_exceeded');
    expect(r.param).toBe('input');
  });

  it('charges nothing for a refused request', async () => {
    const t = await gw.newTenant('responses-validation');
    const c = new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey, maxRetries: 0 });
    await c.responses.create({ model: 'sim-small', input: 'x', max_output_tokens: 1 } as never).catch(() => undefined);
    await gw.gateway.services.ledger.flush();
    const b = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/billing`);
    expect(b.body.spent_usd).toBe(0);
  });

  it("OpenAI's scope names: a read_only key reads a stored response but cannot create or delete one", async () => {
    const keyOf = async (permissions: string, scopes?: string[]) => {
      const key = await gw.admin('POST', '/admin/v1/keys', { organization_id: gw.orgId, user_id: gw.userId, name: permissions, permissions, ...(scopes ? { scopes } : {}) });
      expect(key.status).toBe(200);
      return new OpenAI({ baseURL: gw.baseURL, apiKey: key.body.key as string, maxRetries: 0 });
    };
    const refused = (p: Promise<unknown>) => rejection<InstanceType<typeof OpenAI.APIError>>(p);
    const missing = (scope: string) =>
      `401 You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.`;
    const made = await client.responses.create({ model: 'sim-small', input: 'Hello' });

    const ro = await keyOf('read_only');
    const e = await refused(ro.responses.create({ model: 'sim-small', input: 'x' }));
    expect(e.status).toBe(401);
    expect(e.message).toBe(missing('api.responses.write'));
    expect((await refused(ro.responses.delete(made.id))).message).toBe(missing('api.responses.write'));
    expect((await ro.responses.retrieve(made.id)).id).toBe(made.id);
    expect((await ro.responses.inputItems.list(made.id)).data.length).toBe(1);

    // A key restricted to model requests uses the Responses API; one restricted to reading
    // stored responses reads them and nothing else.
    const requests = await keyOf('restricted', ['model.request']);
    const next = await requests.responses.create({ model: 'sim-small', input: 'Hello again', previous_response_id: made.id });
    await requests.responses.delete(next.id);
    expect((await refused(requests.responses.retrieve(next.id))).status).toBe(404);
    const reading = await keyOf('restricted', ['api.responses.read']);
    expect((await reading.responses.retrieve(made.id)).id).toBe(made.id);
    expect((await refused(reading.responses.create({ model: 'sim-small', input: 'x' }))).message).toBe(missing('api.responses.write'));
    expect((await refused(reading.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }] }))).message).toBe(missing('model.request'));
  });
});

describe('a function_call the conversation goes on past without its output', () => {
  const call = (id: string) => ({ type: 'function_call', call_id: id, name: 'get_weather', arguments: '{}' });
  const output = (id: string) => ({ type: 'function_call_output', call_id: id, output: '21' });
  const user = (text: string) => ({ role: 'user', content: text });
  const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }];
  const ok = async (body: Record<string, unknown>) => (await client.responses.create({ model: 'sim-small', max_output_tokens: 16, tools, ...body } as never)).object;

  it("is refused in OpenAI's words when a message follows it in the input", async () => {
    const missing = { status: 400, code: null, param: 'input', message: 'No tool output found for function call call_b.' };
    expect(await refusal({ model: 'sim-small', tools, input: [user('Weather?'), call('call_b'), user('And now?')] })).toEqual(missing);
    // One of two parallel calls answered.
    expect(await refusal({ model: 'sim-small', tools, input: [user('Weather?'), call('call_a'), call('call_b'), output('call_a'), user('And now?')] })).toEqual(missing);
    expect(await refusal({ model: 'sim-small', tools, input: [user('Weather?'), call('call_b'), { type: 'message', role: 'assistant', content: 'Done.' }] })).toEqual(missing);
  });

  it('is refused when a new message follows a previous response that asked for a tool, without its output', async () => {
    const first = await client.responses.create({ model: 'sim-small', input: 'Weather?', tools, tool_choice: 'required' } as never);
    const fc = first.output.find((o) => o.type === 'function_call');
    if (!fc || fc.type !== 'function_call') throw new Error('no function call');
    expect(await refusal({ model: 'sim-small', tools, previous_response_id: first.id, input: 'Never mind.' })).toEqual({
      status: 400,
      code: null,
      param: 'input',
      message: `No tool output found for function call ${fc.call_id}.`,
    });
    // Answered, the conversation goes on.
    expect(await ok({ previous_response_id: first.id, input: [output(fc.call_id), user('Thanks')] })).toBe('response');
  });

  it('accepts answered calls in any order, and calls still open at the end (a turn in progress)', async () => {
    expect(await ok({ input: [user('Weather?'), call('call_a'), call('call_b'), output('call_b'), output('call_a'), user('Thanks')] })).toBe('response');
    expect(await ok({ input: [user('Weather?'), call('call_a'), output('call_a'), call('call_b'), output('call_b')] })).toBe('response');
    expect(await ok({ input: [user('Weather?'), call('call_a')] })).toBe('response');
  });
});
