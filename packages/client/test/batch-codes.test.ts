/**
 * A batch's failures counted by error code, whatever the code: an OpenAI-compatible server may
 * answer any word, and one named like a member of every object ('constructor', '__proto__',
 * 'toString') used to be mistaken for it (a count of "function Object() …1", or none at all).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Tollgate, runBatch } from '@tollgate/client';
import { parseInputLine } from '../src/batch/jsonl.js';
import { sendJson, startServer, type TestServer } from './helpers/server.js';

const CODES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const code = (req.body as { messages: { content: string }[] }).messages[0]!.content;
    sendJson(res, 400, { error: { message: `Refused: ${code}.`, type: 'invalid_request_error', param: null, code } });
  });
});
afterAll(() => server.close());

it('counts every code as its own, twice each', async () => {
  const client = new Tollgate({ apiKey: 'sk-test-0123456789abcdef', baseURL: server.baseURL, maxRetries: 0 });
  const input = [...CODES, ...CODES].map((code, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: code }] } }));
  const summary = await runBatch({ client, input, output: { write: () => undefined }, concurrency: 2 });
  expect(summary.failed).toBe(8);
  expect(Object.entries(summary.byCode).sort()).toEqual(CODES.map((c) => [c, 2]).sort());
});

it.each(CODES)("a batch line whose url is '%s' is refused as an unsupported url, not sent to Object's member", (url) => {
  const r = parseInputLine(JSON.stringify({ custom_id: 'a', method: 'POST', url, body: { model: 'sim-small' } }));
  expect(r).toMatchObject({ ok: false, customId: 'a', message: expect.stringContaining(`Invalid value: '${url}'. Supported values are: '/v1/responses'`) });
});
