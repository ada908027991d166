/** Crossing an organization's soft limit posts one webhook per period, through the real request path. */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let hook: Server;
let hookUrl: string;
const received: unknown[] = [];
let gw: TestGateway;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  gw = await startTestGateway({
    billing: { soft_limit_webhook_url: hookUrl },
    models: [{ name: 'sim-small', pricing: { input_per_1m: 1000, output_per_1m: 1000 } }],
  });
});
afterAll(async () => {
  await gw.close();
  await new Promise((r) => hook.close(r));
});

const chat = () =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
  });

it('fires once when spend crosses the soft limit, not again on later requests', async () => {
  // Each request costs well over $0.005 at $1000 per million tokens (≥ 8 tokens).
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: null, soft_limit_usd: 0.02 })).status).toBe(200);
  for (let i = 0; i < 8; i++) expect((await chat()).status).toBe(200);
  for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ organization_id: gw.orgId });
});
