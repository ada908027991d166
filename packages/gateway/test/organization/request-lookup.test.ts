/**
 * `GET /v1/organization/requests/{request_id}` tells a request's story as the caller lived it:
 * a real gateway in front of a scriptable HTTP upstream, called with a service account's key of
 * a project, through the official SDK. A success, a fallback, an upstream 500 and 429, a stream,
 * a request refused before any upstream and one refused for spend are each looked up by the id the caller was given,
 * and the lookup says what the caller saw (status, error code and message, tokens, cost) plus
 * what only the gateway knows (project, owner, model served, latency, the upstream's request id).
 * Another organization's admin key gets OpenAI's 404 for every one of them.
 */
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToPico } from '../../src/billing/pricing.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { chunks, closedPort, completion, errorBody, json, sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let fake: FakeUpstream;
let h: OrgHarness;
let project: { id: string };
let account: { id: string; keyId: string };
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream();
  h = await startOrgHarness({
    models: [
      { name: 'sim-small', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 1, output_per_1m: 2 } },
      upstreamModel('up', [{ base_url: fake.baseUrl }]),
      upstreamModel('up-fb', [{ base_url: `http://127.0.0.1:${await closedPort()}/v1` }], { fallbacks: ['up'] }),
    ],
  });
  project = await h.a.org.projects.create({ name: 'support-desk' });
  const sa = await h.a.org.projects.serviceAccounts.create(project.id, { name: 'desk-bot' });
  account = { id: sa.id, keyId: sa.api_key!.id };
  client = new OpenAI({ apiKey: sa.api_key!.value, baseURL: h.gw.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

/** The upstream answers `status` with `body`, naming its own request `upstreamId`. */
function upstreamAnswers(status: number, body: unknown, upstreamId: string): void {
  fake.handle((_, res) => json(res, status, body, { 'x-request-id': upstreamId }));
}

/** GET /v1/organization/requests/{id} with an organization's admin key. */
async function lookup(adminKey: string, id: string): Promise<{ status: number; body: any }> {
  await h.gw.gateway.services.ledger.flush();
  const r = await fetch(`${h.gw.baseURL}/organization/requests/${id}`, { headers: { authorization: `Bearer ${adminKey}` } });
  return { status: r.status, body: await r.json() };
}

/** The ledger's cost of a request, in pico-dollars. */
async function ledgerCost(id: string): Promise<bigint> {
  const r = await billingDb(h.gw.gateway.services.store).selectFrom('usage_events').select('cost_pico').where('request_id', '=', id).executeTakeFirstOrThrow();
  return BigInt(r.cost_pico);
}

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'where is my order?' }], max_tokens: 16 });

/** The fields every lookup of this project's service account shares. */
const ours = () => ({ object: 'organization.request', project_id: project.id, api_key_id: account.keyId, user_id: account.id, owner: { type: 'service_account', service_account: { id: account.id } } });

describe('request lookup', () => {
  it('a success: project, owner, model, endpoint, tokens, cost, latency and the upstream request id', async () => {
    upstreamAnswers(200, completion('It ships today.'), 'upreq_ok_1');
    const { data, response } = await client.chat.completions.create(ask('up')).withResponse();
    const id = response.headers.get('x-request-id')!;
    const r = await lookup(h.a.adminKey, id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ...ours(), id, requested_model: 'up', model: 'up', endpoint: 'chat.completions', status_code: 200, error: null, streamed: false, upstream_request_id: 'upreq_ok_1' });
    expect(r.body.usage).toEqual({ input_tokens: data.usage!.prompt_tokens, output_tokens: data.usage!.completion_tokens, estimated: false });
    expect(r.body.cost.currency).toBe('usd');
    expect(usdToPico(r.body.cost.exact_value)).toBe(await ledgerCost(id));
    expect(usdToPico(r.body.cost.exact_value)).toBeGreaterThan(0n);
    expect(r.body.latency_ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(r.body.created_at - Date.now() / 1000)).toBeLessThan(300);
  });

  it('a fallback: the model asked for and the model that answered', async () => {
    upstreamAnswers(200, completion('Served by the fallback.'), 'upreq_fb_1');
    const { response } = await client.chat.completions.create(ask('up-fb')).withResponse();
    const r = await lookup(h.a.adminKey, response.headers.get('x-request-id')!);
    expect(r.body).toMatchObject({ requested_model: 'up-fb', model: 'up', status_code: 200, upstream_request_id: 'upreq_fb_1' });
  });

  it.each([
    ['an upstream 500', 500, errorBody('The server had an error while processing your request.', 'server_error'), 'upreq_500'],
    ['an upstream 429', 429, errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'), 'upreq_429'],
  ])('%s: recorded with the status, code and message the caller got, at no cost', async (_, status, body, upstreamId) => {
    upstreamAnswers(status, body, upstreamId);
    const err = await rejection(client.chat.completions.create(ask('up')));
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const id = err.headers.get('x-request-id');
    const r = await lookup(h.a.adminKey, id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ...ours(), id, requested_model: 'up', model: 'up', status_code: err.status, error: { message: err.error.message }, upstream_request_id: upstreamId });
    expect(r.body.error.message.length).toBeGreaterThan(0);
    // The code the caller got (null where it got null), not a catalog id.
    expect(r.body.error.code).toBe(err.code ?? null);
    expect(usdToPico(r.body.cost.exact_value)).toBe(0n);
    expect(await ledgerCost(id)).toBe(0n);
  });

  it('a rate limit: the wire code the caller got (rate_limit_exceeded), with the catalog entry beside it', async () => {
    // The catalog entry rate_limit_tokens answers code rate_limit_exceeded; the lookup showed the entry's id as the code.
    const err = await rejection(client.chat.completions.create(ask('sim-small'), { headers: { 'x-tollgate-fault': 'rate_limit_tokens' } }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe('rate_limit_exceeded');
    const r = await lookup(h.a.adminKey, err.headers.get('x-request-id'));
    expect(r.body.error).toEqual({ code: 'rate_limit_exceeded', message: err.error.message, catalog_id: 'rate_limit_tokens' });
  });

  it('a stream: marked streamed, with the usage the final chunk reported', async () => {
    fake.handle((_, res: ServerResponse) => {
      res.setHeader('x-request-id', 'upreq_stream_1');
      return sse(res, chunks(['Your', ' order', ' ships', ' today.']));
    });
    const { data: stream, response } = await client.chat.completions.create({ ...ask('up'), stream: true, stream_options: { include_usage: true } }).withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) usage = c.usage ?? usage;
    const id = response.headers.get('x-request-id')!;
    const r = await lookup(h.a.adminKey, id);
    expect(r.body).toMatchObject({ ...ours(), id, streamed: true, status_code: 200, error: null, upstream_request_id: 'upreq_stream_1' });
    expect(r.body.usage).toMatchObject({ input_tokens: usage!.prompt_tokens, output_tokens: usage!.completion_tokens });
    expect(usdToPico(r.body.cost.exact_value)).toBe(await ledgerCost(id));
  });

  it('a request refused before any upstream keeps the model it named and the 404 it got', async () => {
    const before = fake.requests.length;
    const err = await rejection(client.chat.completions.create(ask('no-such-model')));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const r = await lookup(h.a.adminKey, err.headers.get('x-request-id'));
    expect(r.body).toMatchObject({ ...ours(), requested_model: 'no-such-model', status_code: 404, error: { code: err.code, message: err.error.message }, model: null, upstream_request_id: null });
    expect(fake.requests.length).toBe(before);
  });

  it('a request refused for spend before any model was called names no model that answered, only the one asked for', async () => {
    const t = await h.tenant('lookup-spend');
    const limited = await h.gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 0 });
    expect(limited.status, JSON.stringify(limited.body)).toBe(200);
    const err = await rejection(t.inference.chat.completions.create(ask('sim-small')));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe('insufficient_quota');
    const r = await lookup(t.adminKey, err.headers.get('x-request-id'));
    expect(r.body).toMatchObject({ requested_model: 'sim-small', model: null, status_code: 429, error: { code: 'insufficient_quota', message: err.error.message }, usage: { input_tokens: 0, output_tokens: 0 } });
    // The same organization's answered request still names its model.
    await h.gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: null });
    const { response } = await t.inference.chat.completions.create(ask('sim-small')).withResponse();
    expect((await lookup(t.adminKey, response.headers.get('x-request-id')!)).body).toMatchObject({ requested_model: 'sim-small', model: 'sim-small', status_code: 200 });
  });

  it("never shows another organization's request: OpenAI's 404, as for an id that never existed", async () => {
    upstreamAnswers(200, completion(), 'upreq_private');
    const { response } = await client.chat.completions.create(ask('up')).withResponse();
    const id = response.headers.get('x-request-id')!;
    expect((await lookup(h.a.adminKey, id)).status).toBe(200);
    const other = await lookup(h.b.adminKey, id);
    const never = await lookup(h.b.adminKey, 'req_00000000000000000000000000000000');
    expect(other.status).toBe(404);
    expect(other.body.error).toMatchObject({ message: `No such request: ${id}.`, type: 'invalid_request_error' });
    expect(never.status).toBe(404);
    expect(never.body.error.type).toBe(other.body.error.type);
    expect(JSON.stringify(other.body)).not.toContain('upreq_private');
  });
});
