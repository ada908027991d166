/**
 * Names that every JavaScript object answers to ('constructor', '__proto__', 'toString',
 * 'hasOwnProperty'): where Tollgate looks a caller's or a configuration's word up among its own
 * (bucket widths, tiers, a tier's models), such a word is unknown, never Object's member: a
 * usage report answered 500, an organization could be given the tier 'constructor' (no limits),
 * and a model named 'toString' escaped its tier's '*' limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problems } from '../config/problems.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const WORDS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

let gw: TestGateway;
let adminKey: string;
beforeAll(async () => {
  gw = await startTestGateway({
    models: [{ name: 'sim-small' }, { name: 'toString' }],
    tiers: { free: { '*': { max_requests_per_1_minute: 1 } } },
    default_tier: 'free',
  });
  adminKey = (await gw.newTenant('reports', { adminKey: true })).adminKey!;
});
afterAll(() => gw.close());

const chat = (model: string) =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });

describe.each(WORDS)('%s', (word) => {
  it('as a usage or costs report bucket_width: 400 invalid_value naming the widths', async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    for (const path of ['/usage/completions', '/costs']) {
      const r = await fetch(`${gw.baseURL}/organization${path}?start_time=${start}&bucket_width=${word}`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect({ path, status: r.status, error: ((await r.json()) as any).error }).toEqual({
        path,
        status: 400,
        error: { type: 'invalid_request_error', code: 'invalid_value', param: 'bucket_width', message: `Invalid value: '${word}'. Supported values are: '1m', '1h', '1d'.` },
      });
    }
  });

  it("as an organization's tier: 400 invalid_value, the tier unchanged", async () => {
    const made = await gw.admin('POST', '/admin/v1/organizations', { name: `tier ${word}`, tier: word });
    expect({ status: made.status, code: made.body.error?.code, param: made.body.error?.param }).toEqual({ status: 400, code: 'invalid_value', param: 'tier' });
    const set = await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}`, { tier: word });
    expect({ status: set.status, code: set.body.error?.code, param: set.body.error?.param }).toEqual({ status: 400, code: 'invalid_value', param: 'tier' });
    expect((await gw.admin('GET', `/admin/v1/organizations/${gw.orgId}`)).body.tier).toBe('free');
  });

  it('as default_tier in tollgate.yaml: no tier by that name', () => {
    expect(problems({ tiers: { free: {} }, default_tier: word })).toEqual([`default_tier: no tier named "${word}" in tiers`]);
  });
});

it("a model named 'toString' is held to its tier's '*' limits as any other model", async () => {
  expect((await chat('toString')).status).toBe(200);
  const second = await chat('toString');
  expect(second.status).toBe(429);
  expect(((await second.json()) as any).error.code).toBe('rate_limit_exceeded');
});
