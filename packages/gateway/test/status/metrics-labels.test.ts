/**
 * /metrics stays bounded whatever paths callers send: a request's `path` label is the route it
 * matched, as registered (`/v1/responses/{id}`), or `other`; never the path itself, where ids and
 * made-up paths would each add a series. And the per-model counters count what the requests were.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ tiers: { free: { '*': { max_requests_per_1_minute: 1000 } } }, default_tier: 'free' }, {});
});
afterAll(() => gw.close());

const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
const series = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));

describe('/metrics labels', () => {
  it('names each request by its route, and every unknown path as other', async () => {
    const n = 120;
    // Made-up paths under /v1 (404), responses by id (404 for an unknown id), Administration API
    // paths with ids: each path is new, the routes are few.
    for (let i = 0; i < n; i++) {
      await fetch(`${gw.url}/v1/made-up-${i}`, { method: 'POST' });
      await fetch(`${gw.url}/v1/responses/resp_${i}`, { headers: { authorization: `Bearer ${gw.apiKey}` } });
      await fetch(`${gw.url}/v1/organization/projects/proj_${i}`, { headers: { authorization: 'Bearer sk-admin-wrong' } });
    }
    const text = await metrics();
    const requests = series(text, 'tollgate_requests_total');
    for (const l of requests) expect(l).not.toMatch(/made-up|resp_\d|proj_\d/);
    // Whatever each was answered (a wrong admin key is refused, then its address is blocked for a while).
    const count = (path: string) => requests.filter((l) => l.startsWith(`tollgate_requests_total{path="${path}",`)).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    expect(count('other')).toBe(n);
    expect(count('/v1/responses/{id}')).toBe(n);
    expect(count('/v1/organization/projects/{project_id}')).toBe(n);
    expect(series(text, 'tollgate_request_duration_seconds_count').filter((l) => /made-up|resp_\d|proj_\d/.test(l))).toEqual([]);
  });

  it('counts each model’s requests by outcome and its tokens, as the answers reported them', async () => {
    const client = new OpenAI({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
    let prompt = 0;
    let completion = 0;
    for (let i = 0; i < 5; i++) {
      const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: `count me ${i}` }], max_tokens: 8 });
      prompt += r.usage!.prompt_tokens;
      completion += r.usage!.completion_tokens;
    }
    // A caller's mistake that reached the model's stage is the caller's, never the platform's.
    await expect(client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }], max_tokens: 10_000_000 })).rejects.toThrow();
    const text = await metrics();
    const value = (name: string, labels: string) => Number(series(text, name).find((l) => l.startsWith(`${name}{${labels}}`))?.split(' ')[1] ?? NaN);
    expect(value('tollgate_model_requests_total', 'model="sim-small",outcome="success"')).toBe(5);
    expect(series(text, 'tollgate_model_requests_total').some((l) => l.includes('outcome="platform_error"') && !l.endsWith(' 0'))).toBe(false);
    expect(value('tollgate_model_tokens_total', 'model="sim-small",type="prompt"')).toBe(prompt);
    expect(value('tollgate_model_tokens_total', 'model="sim-small",type="completion"')).toBe(completion);
    // Read twice, the same figures: reading does not add to them.
    expect(await metrics()).toContain(`tollgate_model_tokens_total{model="sim-small",type="prompt"} ${prompt}`);
  });
});
