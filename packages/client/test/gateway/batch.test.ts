/**
 * Issue 7: the batch runner against the real gateway. Twenty-one Batch API input lines — chat,
 * completions, responses and embeddings that succeed, bodies the gateway refuses, a line that cannot be run —
 * give twenty-one output lines in the Batch API's output format: each with its own `batch_req_` id,
 * the gateway's `x-request-id` as `request_id`, the answer or the error body the gateway sent
 * (`error` null), and `error` set only for the line that never reached the gateway.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runBatch, Tollgate, type BatchOutputLine, type BatchSummary } from '@tollgate/client';
import { startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.js';
import { countingFetch, type CountingFetch } from './helpers.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const line = (custom_id: string, url: string, body: Record<string, unknown>) => JSON.stringify({ custom_id, method: 'POST', url, body });
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'sim-small', messages: [{ role: 'user', content }], max_tokens: 8, ...extra });

/** custom_id → the status and code expected of its output line (code null: a success). */
const EXPECTED: Record<string, { status: number | null; code: string | null }> = {};
const input: string[] = [];
for (let i = 1; i <= 14; i++) {
  const id = `chat-${String(i).padStart(2, '0')}`;
  input.push(line(id, '/v1/chat/completions', chat(`Question ${i}`)));
  EXPECTED[id] = { status: 200, code: null };
}
input.push(line('legacy', '/v1/completions', { model: 'sim-small', prompt: 'Once upon a time', max_tokens: 8 }));
EXPECTED.legacy = { status: 200, code: null };
input.push(line('responses', '/v1/responses', { model: 'sim-small', input: 'hi', max_output_tokens: 16 }));
EXPECTED.responses = { status: 200, code: null };
input.push(line('embed', '/v1/embeddings', { model: 'sim-embed', input: 'vector me' }));
EXPECTED.embed = { status: 200, code: null };
input.push(line('bad-empty', '/v1/chat/completions', { model: 'sim-small', messages: [] }));
EXPECTED['bad-empty'] = { status: 400, code: 'empty_array' };
input.push(line('bad-model', '/v1/chat/completions', chat('x', { model: 'gpt-nonexistent' })));
EXPECTED['bad-model'] = { status: 404, code: 'model_not_found' };
input.push(line('bad-temperature', '/v1/chat/completions', chat('x', { temperature: 5 })));
EXPECTED['bad-temperature'] = { status: 400, code: 'decimal_above_max_value' };
input.push(line('bad-url', '/v1/images/generations', { prompt: 'a cat' }));
EXPECTED['bad-url'] = { status: null, code: 'invalid_batch_line' };

let out: BatchOutputLine[];
let summary: BatchSummary;
let wire: CountingFetch;

beforeAll(async () => {
  expect(input).toHaveLength(21);
  wire = countingFetch();
  const client = new Tollgate({ apiKey: gw.apiKey, baseURL: gw.baseURL, fetch: wire.fetch });
  const written: string[] = [];
  summary = await runBatch({ client, input, output: { write: (l) => written.push(l) }, concurrency: 6 });
  out = written.map((l) => JSON.parse(l) as BatchOutputLine);
});

it('writes one output line per input line, each with its own batch request id', () => {
  expect(out).toHaveLength(21);
  expect(out.map((o) => o.custom_id).sort()).toEqual(Object.keys(EXPECTED).sort());
  for (const o of out) expect(o.id).toMatch(/^batch_req_[0-9a-f]{32}$/);
  expect(new Set(out.map((o) => o.id)).size).toBe(21);
  for (const o of out) expect(Object.keys(o).sort()).toEqual(['custom_id', 'error', 'id', 'response']);
});

it('successes carry the status, the gateway request id and the answer', () => {
  for (const o of out.filter((x) => EXPECTED[x.custom_id!]!.status === 200)) {
    expect(o.error).toBeNull();
    expect(o.response!.status_code).toBe(200);
    expect(o.response!.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    const body = o.response!.body as { object: string; _request_id?: unknown };
    const object = { embed: 'list', legacy: 'text_completion', responses: 'response' }[o.custom_id!] ?? 'chat.completion';
    expect(body.object).toBe(object);
    expect('_request_id' in body).toBe(false);
  }
});

it('refused bodies are responses with the gateway error body, not line errors', () => {
  for (const o of out.filter((x) => (EXPECTED[x.custom_id!]!.status ?? 200) >= 400)) {
    const want = EXPECTED[o.custom_id!]!;
    expect(o.error).toBeNull();
    expect(o.response!.status_code).toBe(want.status);
    expect(o.response!.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    const body = o.response!.body as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.code).toBe(want.code);
    expect(body.error.type).toBe('invalid_request_error');
  }
});

it('a line that cannot be run has no response and an error object', () => {
  const o = out.find((x) => x.custom_id === 'bad-url')!;
  expect(o.response).toBeNull();
  // Its record names its line in the input file (the 21st), with or without a custom_id.
  expect(o.error).toEqual({ code: 'invalid_batch_line', message: expect.stringMatching(/^Line 21: .*'\/v1\/images\/generations'/), line: 21 });
});

it('request ids are those the gateway sent, one request each, none retried', () => {
  const ids = out.flatMap((o) => (o.response ? [o.response.request_id] : []));
  expect(ids).toHaveLength(20);
  expect(new Set(ids).size).toBe(20);
  expect([...ids].sort()).toEqual([...wire.requestIds].sort());
  expect(wire.calls).toBe(20);
  expect(wire.retryCounts.every((c) => c === '0')).toBe(true);
});

it('the summary counts successes and failures by code', () => {
  expect(summary).toMatchObject({ read: 21, done: 21, succeeded: 17, failed: 4, skipped: 0, duplicates: 0, inFlight: 0, aborted: false });
  expect(summary.byCode).toEqual({ empty_array: 1, model_not_found: 1, decimal_above_max_value: 1, invalid_batch_line: 1 });
});
