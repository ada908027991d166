/**
 * Crossing an organization's soft limit posts one webhook per period, through the real request
 * path. The gateway runs on a fake clock, so "nothing more was sent" is checked after the
 * notifier's whole retry schedule has passed, not after a short real wait.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { FakeClock } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let hook: Server;
let hookUrl: string;
/** Every POST the webhook received, with the status it answered. */
const posts: { body: { id: string; organization_id: string }; status: number }[] = [];
let gw: TestGateway;
// The Redis-free counters read this clock for their periods; start it near the real time, but at
// least a day before the month ends: the test moves the clock two hours, and a start within those
// two hours of the month's end puts the later requests in the next billing period, whose crossing
// rightly fires a notification of its own.
const realNow = new Date();
const nextMonth = Date.UTC(realNow.getUTCFullYear(), realNow.getUTCMonth() + 1, 1);
const clock = new FakeClock(Math.min(realNow.getTime(), nextMonth - 86_400_000));

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      // The first delivery attempt fails, so a retry is scheduled on the fake clock.
      const status = posts.length === 0 ? 503 : 204;
      posts.push({ body: JSON.parse(body), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  gw = await startTestGateway(
    {
      billing: { soft_limit_webhook_url: hookUrl },
      models: [{ name: 'sim-small', pricing: { input_per_1m: 1000, output_per_1m: 1000 } }],
    },
    { clock },
  );
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

/** Waits until every settlement, soft-limit check and delivery in progress is done. */
async function quiet(): Promise<void> {
  await gw.gateway.services.settlements.idle();
  await gw.gateway.services.softLimits.idle();
}

/**
 * Moves the fake clock an hour in 10 s steps, far past the notifier's whole retry schedule
 * (1+2+4+8+16 s plus timeouts), giving each wake-up real time to make its HTTP attempt.
 */
async function pastEveryRetry(): Promise<void> {
  for (let i = 0; i < 360; i++) {
    await clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 2));
  }
}

it('fires once when spend crosses the soft limit, retries a failed delivery, and sends nothing more on later requests', async () => {
  // Each request costs well over $0.005 at $1000 per million tokens (≥ 8 tokens).
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: null, soft_limit_usd: 0.02 })).status).toBe(200);
  for (let i = 0; i < 8; i++) expect((await chat()).status).toBe(200);
  // The first attempt (answered 503) happens without any time passing.
  await vi.waitFor(() => expect(posts).toHaveLength(1), { timeout: 15_000, interval: 5 });
  // The retry waits on the fake clock; let the whole schedule pass before looking.
  await pastEveryRetry();
  await quiet();
  expect(posts.map((p) => p.status)).toEqual([503, 204]);

  for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
  await gw.gateway.services.settlements.idle();
  await pastEveryRetry();
  await quiet();
  expect(posts).toHaveLength(2);
  expect(posts.every((p) => p.body.organization_id === gw.orgId && p.body.id === posts[0]!.body.id)).toBe(true);
});
