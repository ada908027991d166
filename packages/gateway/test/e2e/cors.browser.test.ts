/**
 * Issue 2: CORS lets a browser call the OpenAI-compatible API and read the headers clients use.
 * A page of another origin, in headless Chromium, sends what the official SDK sends from a browser
 * (`dangerouslyAllowBrowser`): a bearer `Authorization`, JSON, and `x-stainless-*` headers, so the
 * browser asks first (a preflight). `Access-Control-Allow-Headers: *` does not cover `Authorization`
 * (the Fetch standard lists it apart), so the preflight must name it.
 */
import { existsSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`CORS browser test skipped: ${CHROMIUM} is absent (install it: apt-get update && apt-get install -y chromium)`);

let gw: TestGateway;
let browser: Browser;
let page: Server;
let pageUrl: string;

beforeAll(async () => {
  if (!hasChromium) return;
  gw = await startTestGateway();
  page = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'));
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
  // Another port, so another origin than the gateway's.
  pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => page?.close(r));
  await gw?.close();
});

it.skipIf(!hasChromium)('a page of another origin calls chat completions with a bearer key and reads the headers it is allowed to', async () => {
  const tab = await browser.newPage();
  await tab.goto(pageUrl);
  const seen = await tab.evaluate(
    async ({ baseURL, apiKey }) => {
      const r = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-stainless-retry-count': '0', 'x-stainless-timeout': '600' },
        body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
      });
      const body = (await r.json()) as { object?: string };
      return { status: r.status, object: body.object, requestId: r.headers.get('x-request-id'), processingMs: r.headers.get('openai-processing-ms') };
    },
    { baseURL: gw.baseURL, apiKey: gw.apiKey },
  );
  expect(seen).toMatchObject({ status: 200, object: 'chat.completion', requestId: expect.stringMatching(/^req_[0-9a-f]{32}$/), processingMs: expect.stringMatching(/^\d+$/) });
  await tab.close();
}, 60_000);
