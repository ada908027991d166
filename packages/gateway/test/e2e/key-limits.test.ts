/** Per-key limits sit on top of the organization's and are checked in the same atomic step. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const chat = (key: string) =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  });

it('a key limited to 3 requests per day gets a 429 on the 4th while a sibling key is unaffected', async () => {
  const sibling = await gw.admin('POST', '/admin/v1/keys', { organization_id: gw.orgId, user_id: gw.userId, name: 'sibling' });
  const put = await gw.admin('PUT', `/admin/v1/keys/${gw.keyId}/rate_limits/sim-small`, { max_requests_per_1_day: 3 });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ api_key_id: gw.keyId, model: 'sim-small', max_requests_per_1_day: 3 });

  const statuses = await Promise.all(Array.from({ length: 10 }, () => chat(gw.apiKey).then((r) => r.status)));
  expect(statuses.filter((s) => s === 200)).toHaveLength(3);
  const r = await chat(gw.apiKey);
  expect(r.status).toBe(429);
  const body = await r.json();
  expect(body.error.type).toBe('requests');
  expect(body.error.code).toBe('rate_limit_exceeded');
  expect(body.error.message).toContain(`in organization ${gw.orgId} on requests per day (RPD): Limit 3, Used 3, Requested 1.`);
  expect((await chat(sibling.body.key)).status).toBe(200);
});

it('an unknown key or model is a 404 from the catalog', async () => {
  expect((await gw.admin('PUT', '/admin/v1/keys/key-nope/rate_limits/sim-small', { max_requests_per_1_day: 3 })).status).toBe(404);
  expect((await gw.admin('PUT', `/admin/v1/keys/${gw.keyId}/rate_limits/gpt-9`, { max_requests_per_1_day: 3 })).status).toBe(404);
});
