/**
 * The batch runner against a real server: the Batch API's output format for successes, HTTP
 * errors, connection failures and bad lines; the summary by error code; resuming; bounded
 * concurrency; an abort that finishes in-flight requests; and the `tollgate batch` command on
 * real files.
 */
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry } from '@tollgate/protocol';
import { Pacer, Tollgate, runBatch, type BatchOutputLine, type BatchProgress } from '@tollgate/client';
import { batchCommand } from '@tollgate/client/node';
import { renderBar, renderLine, renderSummary } from '../src/batch/progress.js';
import { chatCompletion, newRequestId, sendCatalogError, sendJson, startServer, type TestServer } from './helpers/server.js';

const KEY = 'sk-test-0123456789abcdef';
let server: TestServer;
let inFlight = 0;
let maxInFlight = 0;
let gate: Promise<void> | undefined;
/** Contents that already failed once (the 'fail once' line succeeds the second time). */
const failOnce = new Set<string>();

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const body = req.body as { model?: string; messages?: { content: string }[]; input?: string };
    const text = body.messages?.[0]?.content ?? body.input ?? '';
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (gate) await gate;
      else await new Promise((r) => setTimeout(r, 2));
      if (text === 'quota') return void sendCatalogError(res, entry('insufficient_quota'));
      if (text === 'too long') return void sendCatalogError(res, entry('context_length_exceeded'));
      if (text === 'reset') return void res.socket?.destroy();
      if (text === 'fail once' && !failOnce.has(text)) {
        failOnce.add(text);
        return void sendCatalogError(res, entry('server_error'));
      }
      if (req.url === '/v1/embeddings') return void sendJson(res, 200, { object: 'list', data: [], model: 'sim-embed', usage: { prompt_tokens: 1, total_tokens: 1 } });
      sendJson(res, 200, chatCompletion(body.model ?? 'sim-small', `echo ${text}`), { 'x-request-id': newRequestId() });
    } finally {
      inFlight--;
    }
  });
});
afterAll(() => server.close());

const client = () => new Tollgate({ apiKey: KEY, baseURL: server.baseURL, maxRetries: 1, retryBudget: false, backoff: { initialMs: 1, maxMs: 1 } });
const line = (id: string, content: string, url = '/v1/chat/completions') =>
  JSON.stringify({ custom_id: id, method: 'POST', url, body: url === '/v1/embeddings' ? { model: 'sim-embed', input: content } : { model: 'sim-small', messages: [{ role: 'user', content }] } });

function collector() {
  const lines: BatchOutputLine[] = [];
  return { lines, output: { write: (l: string) => void lines.push(JSON.parse(l) as BatchOutputLine) } };
}

describe('runBatch', () => {
  it('writes Batch API output lines and summarizes failures by code', async () => {
    const { lines, output } = collector();
    const input = [
      line('a', 'one'),
      line('b', 'quota'),
      '',
      line('c', 'too long'),
      line('d', 'reset'),
      line('e', 'x', '/v1/embeddings'),
      'not json',
      JSON.stringify({ custom_id: 'f', method: 'GET', url: '/v1/models', body: {} }),
    ];
    const summary = await runBatch({ client: client(), input, output, concurrency: 3 });
    const byId = new Map(lines.map((l) => [l.custom_id, l]));
    expect(lines).toHaveLength(7);
    for (const l of lines) expect(l.id).toMatch(/^batch_req_[0-9a-f]{32}$/);

    expect(byId.get('a')).toMatchObject({ response: { status_code: 200, body: { choices: [{ message: { content: 'echo one' } }] } }, error: null });
    expect(byId.get('a')?.response?.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(byId.get('b')).toMatchObject({ response: { status_code: 429, body: { error: { type: 'insufficient_quota', code: 'insufficient_quota' } } }, error: null });
    expect(byId.get('c')).toMatchObject({ response: { status_code: 400, body: { error: { code: 'context_length_exceeded', param: 'messages' } } } });
    expect(byId.get('d')).toMatchObject({ response: null, error: { code: 'connection_error' } });
    expect(byId.get('e')).toMatchObject({ response: { status_code: 200 } });
    // An invalid line's record names its line number (1-based, the blank line counted).
    expect(byId.get(null)).toMatchObject({ response: null, error: { code: 'invalid_batch_line', line: 7, message: 'Line 7: The line is not valid JSON.' } });
    expect(byId.get('f')).toMatchObject({ response: null, error: { code: 'invalid_batch_line', line: 8, message: expect.stringMatching(/^Line 8: Invalid value: 'GET'/) } });

    expect(summary).toMatchObject({ read: 7, done: 7, succeeded: 2, failed: 5, skipped: 0, aborted: false });
    expect(summary.byCode).toEqual({ insufficient_quota: 1, context_length_exceeded: 1, connection_error: 1, invalid_batch_line: 2 });
  });

  it('skips custom_ids already done and duplicates, and keeps to the concurrency', async () => {
    const { lines, output } = collector();
    maxInFlight = 0;
    const input = (async function* () {
      for (let i = 0; i < 40; i++) yield line(`r${i}`, `n${i}`);
      yield line('r3', 'dup');
    })();
    const summary = await runBatch({ client: client(), input, output, concurrency: 4, resumeIds: new Set(['r0', 'r1', 'r2']) });
    expect(summary).toMatchObject({ succeeded: 37, skipped: 3, duplicates: 1, failed: 0 });
    expect(new Set(lines.map((l) => l.custom_id)).size).toBe(37);
    expect(lines.some((l) => l.custom_id === 'r0')).toBe(false);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('an abort finishes the requests in flight, writes them, and starts no more', async () => {
    const { lines, output } = collector();
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    const progress: BatchProgress[] = [];
    try {
      const running = runBatch({
        client: client(),
        input: Array.from({ length: 20 }, (_, i) => line(`q${i}`, `n${i}`)),
        output,
        concurrency: 5,
        signal: ac.signal,
        onProgress: (p) => progress.push(p),
      });
      while (inFlight < 5) await new Promise((r) => setTimeout(r, 2));
      ac.abort();
      release();
      const summary = await running;
      expect(summary.aborted).toBe(true);
      expect(summary.succeeded).toBe(5);
      expect(lines.map((l) => l.custom_id).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
      expect(progress.at(-1)?.done).toBe(5);
    } finally {
      gate = undefined;
    }
  });
});

describe('runBatch: stopping and pacing', () => {
  it('an abort stops sending at once: requests waiting in the pacer are not sent nor written, the ones sent finish', async () => {
    const { lines, output } = collector();
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    const progress: BatchProgress[] = [];
    const before = server.requests.length;
    // 2 requests per minute, bucket full: two go at once, the next three wait ~30 s each in the pacer.
    const pacer = new Pacer({ requestsPerMinute: 2, learn: false });
    try {
      const running = runBatch({
        client: client(),
        input: Array.from({ length: 6 }, (_, i) => line(`p${i}`, `n${i}`)),
        output,
        concurrency: 5,
        pacer,
        signal: ac.signal,
        onProgress: (p) => progress.push(p),
      });
      while (inFlight < 2 || pacer.state('sim-small').queued < 3) await new Promise((r) => setTimeout(r, 2));
      ac.abort();
      release();
      const summary = await running;
      expect(summary).toMatchObject({ aborted: true, succeeded: 2, failed: 0, unsent: 3 });
      expect(server.requests.length - before).toBe(2);
      expect(lines.map((l) => l.custom_id).sort()).toEqual(['p0', 'p1']);
      expect(pacer.state('sim-small').queued).toBe(0);
      // The pacing rate is reported for the ETA: 2 per minute.
      expect(summary.pacedPerSecond).toBeCloseTo(2 / 60, 10);
    } finally {
      gate = undefined;
    }
  });

  it('a batch signal carries one abort listener however many requests are in flight or waiting (no MaxListenersExceededWarning past 10)', async () => {
    const { output } = collector();
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    // 12 go at once (bucket of 12), 8 more wait in the pacer: 20 calls hold the batch's signal.
    const pacer = new Pacer({ requestsPerMinute: 12, learn: false });
    try {
      const running = runBatch({ client: client(), input: Array.from({ length: 20 }, (_, i) => line(`m${i}`, `n${i}`)), output, concurrency: 20, pacer, signal: ac.signal });
      while (inFlight < 12 || pacer.state('sim-small').queued < 8) await new Promise((r) => setTimeout(r, 2));
      expect(getEventListeners(ac.signal, 'abort').length).toBeLessThanOrEqual(2);
      ac.abort();
      release();
      expect(await running).toMatchObject({ aborted: true, succeeded: 12, unsent: 8 });
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      gate = undefined;
      process.off('warning', onWarning);
    }
  });

  it("paces a /v1/responses line as a response (its output reserved) even when its body looks like an embeddings one", async () => {
    const { output } = collector();
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    // 1000 tokens a minute, the clock stopped: a line costs 1 prompt token + 600 output, so one goes and the other waits.
    const pacer = new Pacer({ tokensPerMinute: 1000, defaultMaxTokens: 600, learn: false, now: () => 1_000_000 });
    const responsesLine = (id: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/responses', body: { model: 'sim-small', input: 'abcd' } });
    try {
      const running = runBatch({ client: client(), input: [responsesLine('r0'), responsesLine('r1')], output, concurrency: 2, pacer, signal: ac.signal });
      while (inFlight + pacer.state('sim-small').queued < 2) await new Promise((r) => setTimeout(r, 2));
      expect({ inFlight, queued: pacer.state('sim-small').queued, available: pacer.state('sim-small').tokens.available }).toEqual({ inFlight: 1, queued: 1, available: 1000 - 601 });
      ac.abort();
      release();
      expect(await running).toMatchObject({ aborted: true, succeeded: 1, unsent: 1 });
    } finally {
      gate = undefined;
    }
  });

  it('the ETA follows the pacing rate when it is slower than the rate so far', () => {
    // 50 done in 10 s (5/s, a burst from a full bucket) but paced at 1/s: 50 left take 50 s, not 10 s.
    const p: BatchProgress = { read: 60, done: 50, succeeded: 50, failed: 0, skipped: 0, duplicates: 0, unsent: 0, inFlight: 4, byCode: {}, elapsedMs: 10_000, pacedPerSecond: 1 };
    expect(renderLine(p, 100)).toBe('progress 50/100 (50%) 5.0 req/s eta 50s in-flight 4 errors 0');
    expect(renderBar(p, 100, 100)).toContain('ETA 50s');
    // A pacing rate above the observed one does not shorten the ETA.
    expect(renderLine({ ...p, pacedPerSecond: 100 }, 100)).toContain('eta 10s');
  });

  it('the summary after a stop says how many were not sent', () => {
    const text = renderSummary({ read: 6, done: 2, succeeded: 2, failed: 0, skipped: 0, duplicates: 0, unsent: 3, inFlight: 0, byCode: {}, elapsedMs: 1000, aborted: true });
    expect(text).toContain('Stopped: 2 succeeded, 0 failed, 0 already done, 0 duplicate ids, 3 not sent');
    expect(text).toContain('Run the same command again to continue');
  });
});

describe('tollgate batch (batchCommand)', () => {
  const sink = () => {
    let text = '';
    return { write: (s: string) => void (text += s), isTTY: false, get text() { return text; } };
  };

  it('runs a file; a rerun skips only the successes and retries the failed lines, one result line per custom_id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-batch-'));
    const input = join(dir, 'requests.jsonl');
    const output = join(dir, 'results.jsonl');
    writeFileSync(input, `${[line('a', 'one'), line('b', 'fail once'), line('c', 'three')].join('\r\n')}\r\n`);
    // A previous run finished "a" and was cut off in the middle of writing another line.
    writeFileSync(output, `${JSON.stringify({ id: 'batch_req_x', custom_id: 'a', response: { status_code: 200, request_id: null, body: {} }, error: null })}\n{"id":"batch_req_y","cus`);
    const env = { TOLLGATE_API_KEY: KEY, TOLLGATE_URL: server.baseURL };
    failOnce.clear();
    const stderr = sink();
    const code = await batchCommand([input, '-o', output, '--concurrency', '2', '--max-retries', '0'], { stdout: sink(), stderr, env, signal: new AbortController().signal, progressIntervalMs: 0 });
    expect(code).toBe(1); // one request failed
    const first = readFileSync(output, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BatchOutputLine);
    // The cut-off fragment is gone; each custom_id has one line.
    expect(first.map((l) => l.custom_id).sort()).toEqual(['a', 'b', 'c']);
    expect(first.find((l) => l.custom_id === 'b')?.response?.status_code).toBe(500);
    expect(stderr.text).toMatch(/progress 3\/3 \(100%\)/);
    expect(stderr.text).toContain('server_error');
    expect(stderr.text).toContain('Done: 1 succeeded, 1 failed, 1 already done');
    expect(stderr.text).toContain('Run the same command again to retry the failed lines');

    // The rerun sends only "b" (it failed), and replaces its failure with the success.
    const again = sink();
    const before = server.requests.length;
    expect(await batchCommand([input, '-o', output], { stdout: sink(), stderr: again, env, signal: new AbortController().signal })).toBe(0);
    expect(server.requests.slice(before).map((r) => (r.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual(['fail once']);
    const second = readFileSync(output, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BatchOutputLine);
    expect(second.map((l) => l.custom_id).sort()).toEqual(['a', 'b', 'c']);
    expect(second.every((l) => l.response?.status_code === 200)).toBe(true);
    expect(again.text).toContain('1 succeeded, 0 failed, 2 already done');

    // A third run has nothing left to send.
    const third = sink();
    expect(await batchCommand([input, '-o', output], { stdout: sink(), stderr: third, env, signal: new AbortController().signal })).toBe(0);
    expect(third.text).toContain('0 succeeded, 0 failed, 3 already done');
  });

  it('reports usage errors and a missing key with exit code 2, never taking the key as an argument', async () => {
    const stderr = sink();
    expect(await batchCommand(['x.jsonl'], { stdout: sink(), stderr, env: {} })).toBe(2);
    expect(stderr.text).toContain('missing -o');
    expect(await batchCommand(['--api-key', 'sk-x', 'x.jsonl', '-o', 'y'], { stdout: sink(), stderr: sink(), env: {} })).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-batch-'));
    writeFileSync(join(dir, 'in.jsonl'), '');
    const noKey = sink();
    expect(await batchCommand([join(dir, 'in.jsonl'), '-o', join(dir, 'out.jsonl')], { stdout: sink(), stderr: noKey, env: {} })).toBe(2);
    expect(noKey.text).toContain('TOLLGATE_API_KEY');
  });

  it('renders a progress bar with rate, ETA and errors for a terminal, and a plain line otherwise', () => {
    const p: BatchProgress = { read: 60, done: 50, succeeded: 47, failed: 3, skipped: 0, duplicates: 0, unsent: 0, inFlight: 4, byCode: { rate_limit_exceeded: 2, timeout: 1 }, elapsedMs: 10_000 };
    const bar = renderBar(p, 100, 100);
    expect(bar).toMatch(/^\[█+░+\]  50% 50\/100  5\.0 req\/s  ETA 10s  errors 3 \(rate_limit_exceeded 2, timeout 1\)$/);
    expect(bar.length).toBeLessThanOrEqual(100);
    expect(renderLine(p, 100)).toBe('progress 50/100 (50%) 5.0 req/s eta 10s in-flight 4 errors 3 (rate_limit_exceeded 2, timeout 1)');
  });
});
