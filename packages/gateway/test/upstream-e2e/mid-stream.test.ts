/**
 * Issue 6's acceptance, failures after the first byte and timeouts, seen through the official
 * SDK: once a stream has started, an upstream error, a killed upstream or a stalled one ends the
 * client's stream with an error frame (the SDK throws APIError without a status, and does not
 * retry), and the request is still settled and in the usage ledger with what was really sent.
 * Before the first byte a stall is an ordinary 504.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { simModel } from '../upstream/helpers.js';
import { startSimulatorServer, type SimulatorServer } from 'tollgate';
import { ask, countingFetch, fault, ledgerOf, readStream, rejection, sdk, SIM_MODEL, upstreamModel, type SdkError } from './harness.js';

let sim: SimulatorServer;
let gw: TestGateway;
const wire = countingFetch();

/** Same body every time (the simulator is deterministic), long enough to be cut in the middle. */
const STORY = ask('up', { max_tokens: 60, seed: 11 });

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel(SIM_MODEL)], port: 0, allowFaultHeader: true });
  gw = await startTestGateway({
    usage: { flush_interval_ms: 20 },
    models: [
      upstreamModel('up', [{ base_url: `${sim.url}/v1` }]),
      // A short idle deadline, so that a stalled stream fails fast.
      upstreamModel('up-quiet', [{ base_url: `${sim.url}/v1`, timeouts: { idle_ms: 300 } }]),
      // A short first-byte deadline keeps the retried 504 quick.
      upstreamModel('up-slowstart', [{ base_url: `${sim.url}/v1`, timeouts: { first_byte_ms: 400 } }]),
      // A first-byte deadline far below the total one: a non-streamed call must wait for total.
      upstreamModel('up-slowtotal', [{ base_url: `${sim.url}/v1`, timeouts: { first_byte_ms: 100, total_ms: 600 } }]),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
const contentOf = (chunks: Chunk[]) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').filter((t) => t.length > 0);

/** Streams STORY (on `model`) for a fresh organization (so its ledger holds only this request) with a fault. */
async function faultyStream(faultValue: string, model = STORY.model) {
  const tenant = await gw.newTenant(`mid-stream ${faultValue}`);
  wire.reset();
  const stream = await sdk(gw, wire.fetch, 2, tenant.apiKey).chat.completions.create({ ...STORY, model, stream: true }, fault(faultValue));
  const { chunks, error } = await readStream(stream);
  return { tenant, chunks, error: error as SdkError, attempts: wire.attempts.length };
}

/** What the organization was charged, in micro-dollars, and what is still held back. */
async function spendOf(orgId: string): Promise<{ spent: number; reserved: number }> {
  const b = await gw.admin('GET', `/admin/v1/organizations/${orgId}/billing`);
  expect(b.status).toBe(200);
  return { spent: Math.round(b.body.spent_usd * 1e6), reserved: Math.round(b.body.reserved_usd * 1e6) };
}

let fullAnswer: { text: string; completionTokens: number };

describe('after the first byte', () => {
  beforeAll(async () => {
    const stream = await sdk(gw, wire.fetch, 0).chat.completions.create({ ...STORY, stream: true, stream_options: { include_usage: true } });
    const { chunks, error } = await readStream(stream);
    expect(error).toBeUndefined();
    fullAnswer = { text: contentOf(chunks).join(''), completionTokens: chunks.at(-1)!.usage!.completion_tokens };
    // Long enough that two content chunks are well short of it.
    expect(contentOf(chunks).length).toBeGreaterThan(4);
  });

  it('server_error@2: two chunks, then an error frame; not retried; settled and in the ledger', async () => {
    const { tenant, chunks, error, attempts } = await faultyStream('server_error@2');
    expect(contentOf(chunks)).toHaveLength(2);
    expect(fullAnswer.text.startsWith(contentOf(chunks).join(''))).toBe(true);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBeUndefined();
    expect(error.type).toBe('server_error');
    expect(error.message).toBe('The server had an error while processing your request. Sorry about that!');
    expect(attempts).toBe(1);

    const { report, events } = await ledgerOf(gw, tenant.orgId);
    expect(report.output_tokens).toBeGreaterThan(0);
    expect(report.output_tokens).toBeLessThan(fullAnswer.completionTokens);
    expect(events).toHaveLength(1);
    expect(events[0]!.error_code).toBe('server_error');
    // SQLite stores booleans as 0/1.
    expect(Boolean(events[0]!.streamed)).toBe(true);
    const spend = await spendOf(tenant.orgId);
    expect(spend.reserved).toBe(0);
    expect(spend.spent).toBe(report.input_tokens * 1 + report.output_tokens * 2);
  });

  it('disconnect@2 (upstream killed): an error frame; usage settled with the tokens really sent', async () => {
    const { tenant, chunks, error, attempts } = await faultyStream('disconnect@2');
    expect(contentOf(chunks)).toHaveLength(2);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBeUndefined();
    expect(error.code).toBe('upstream_connection_failed');
    expect(error.message).toBe('Bad gateway. The engine for this model could not be reached, please try again later.');
    expect(attempts).toBe(1);

    const { report, events } = await ledgerOf(gw, tenant.orgId);
    expect(report.output_tokens).toBeGreaterThan(0);
    expect(report.output_tokens).toBeLessThan(fullAnswer.completionTokens);
    expect(events[0]!.error_code).toBe('upstream_connection_failed');
    const spend = await spendOf(tenant.orgId);
    expect(spend.reserved).toBe(0);
    expect(spend.spent).toBe(report.input_tokens * 1 + report.output_tokens * 2);
  });

  it('stall@1 (upstream goes quiet): the 300 ms idle timeout ends the stream with upstream_idle_timeout', async () => {
    const { tenant, chunks, error, attempts } = await faultyStream('stall@1', 'up-quiet');
    expect(contentOf(chunks)).toHaveLength(1);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBeUndefined();
    expect(error.code).toBe('upstream_idle_timeout');
    expect(error.message).toBe('Gateway timeout. The engine for this model stopped sending data for 300ms.');
    expect(attempts).toBe(1);
    const { report, events } = await ledgerOf(gw, tenant.orgId);
    expect(report.output_tokens).toBeGreaterThan(0);
    expect(events[0]!.error_code).toBe('upstream_idle_timeout');
    expect((await spendOf(tenant.orgId)).reserved).toBe(0);
  });
});

describe('before the first byte', () => {
  it('a non-streamed stall@0 is bounded by total_ms, not first_byte_ms → 504 upstream_total_timeout, retried', async () => {
    wire.reset();
    const err = (await rejection(sdk(gw, wire.fetch, 1).chat.completions.create(ask('up-slowtotal'), fault('stall@0')))) as SdkError;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(504);
    expect(err.type).toBe('server_error');
    expect(err.code).toBe('upstream_total_timeout');
    expect(err.message).toBe('504 Gateway timeout. The engine for this model did not finish within 600ms.');
    expect(wire.attempts.map((a) => a.status)).toEqual([504, 504]);
  });

  it('a streamed stall@0 sends only its role chunk: that is not output, so the first-byte timeout answers 504 before any stream starts', async () => {
    wire.reset();
    const err = await sdk(gw, wire.fetch, 1)
      .chat.completions.create({ ...ask('up-slowstart'), stream: true }, fault('stall@0'))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as SdkError).status).toBe(504);
    expect((err as SdkError).code).toBe('upstream_first_byte_timeout');
    expect(wire.attempts.map((a) => a.status)).toEqual([504, 504]);
  });

  it('no 200 JSON body the SDK received in this file held an error', () => {
    expect(wire.okWithError).toEqual([]);
  });
});
