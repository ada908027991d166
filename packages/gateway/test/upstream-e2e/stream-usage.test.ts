/**
 * Issue 10, item 8: `stream_options.include_usage`, which the gateway adds to every upstream
 * stream so that it can settle from the engine's own count, is a per-deployment choice
 * (`stream_usage: always | never | auto`). An upstream that refuses the field no longer fails
 * requests that never contained it: with `auto` the call is retried once without it, the refusal
 * is remembered for the deployment, and the gateway counts the tokens itself (marked estimated).
 * Through the real gateway and the official SDK.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { chunks, errorBody, json, sse, startFakeUpstream, type FakeRequest, type FakeUpstream } from '../upstream/fake-upstream.js';
import { ask, ledgerOf, readStream, rejection, sdk, upstreamModel, countingFetch, type SdkError } from './harness.js';

const REFUSAL = errorBody('Unrecognized request argument supplied: stream_options', 'invalid_request_error');
const WORDS = ['Counted', ' by', ' the', ' gateway.'];
/** The answer's chunks without the usage chunk: this engine reports no usage on streams. */
const NO_USAGE = chunks(WORDS).slice(0, -1);

/** An upstream that knows nothing of `stream_options` (as some older OpenAI-compatible servers). */
function strictUpstream(req: FakeRequest, res: ServerResponse): Promise<void> | void {
  if ('stream_options' in req.body) return json(res, 400, REFUSAL);
  return sse(res, NO_USAGE);
}

let strict: FakeUpstream;
let gw: TestGateway;
const wire = countingFetch();

beforeAll(async () => {
  strict = await startFakeUpstream(strictUpstream);
  gw = await startTestGateway({
    usage: { flush_interval_ms: 20 },
    models: [
      upstreamModel('auto', [{ base_url: strict.baseUrl }]),
      upstreamModel('always', [{ base_url: strict.baseUrl, stream_usage: 'always' }]),
      upstreamModel('never', [{ base_url: strict.baseUrl, stream_usage: 'never' }]),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await strict?.close();
});

const sent = (from: number) => strict.requests.slice(from).map((r) => ('stream_options' in r.body ? 'with' : 'without'));

describe('stream_usage: auto (the default)', () => {
  it('a refusal of stream_options is retried once without it; then never sent to that deployment again; billed from the gateway\'s count, marked estimated', async () => {
    const tenant = await gw.newTenant('auto');
    const client = sdk(gw, wire.fetch, 0, tenant.apiKey);
    const before = strict.requests.length;
    const first = await readStream(await client.chat.completions.create({ ...ask('auto'), stream: true }));
    expect(first.error).toBeUndefined();
    expect(first.chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(WORDS.join(''));
    expect(sent(before)).toEqual(['with', 'without']);

    const mid = strict.requests.length;
    const second = await readStream(await client.chat.completions.create({ ...ask('auto'), stream: true }));
    expect(second.error).toBeUndefined();
    expect(sent(mid)).toEqual(['without']);

    // Operators see which deployments bill streams from the gateway's count.
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('tollgate_upstream_stream_options_refused{deployment="auto#0"} 1');
    expect(metrics).toContain('tollgate_upstream_stream_options_refused{deployment="always#0"} 0');

    const { report, events } = await ledgerOf(gw, tenant.orgId, 2);
    expect(report.output_tokens).toBe(2 * countText(WORDS.join('')));
    expect(events.map((e) => Boolean(e.estimated))).toEqual([true, true]);
    expect(events.map((e) => e.status_code)).toEqual([200, 200]);
  });

  it('a client that asked for usage gets the usage it is billed, counted by the gateway', async () => {
    const tenant = await gw.newTenant('auto-usage');
    const { chunks: got, error } = await readStream(
      await sdk(gw, wire.fetch, 0, tenant.apiKey).chat.completions.create({ ...ask('auto'), stream: true, stream_options: { include_usage: true } }),
    );
    expect(error).toBeUndefined();
    const usage = got.at(-1)!.usage!;
    expect(got.at(-1)!.choices).toEqual([]);
    expect(usage.completion_tokens).toBe(countText(WORDS.join('')));
    const { report } = await ledgerOf(gw, tenant.orgId);
    expect([report.input_tokens, report.output_tokens]).toEqual([usage.prompt_tokens, usage.completion_tokens]);
  });
});

describe('stream_usage: always', () => {
  it('the field is always sent: the upstream\'s refusal reaches the client as its 400', async () => {
    const before = strict.requests.length;
    const err = (await rejection(sdk(gw, wire.fetch, 0).chat.completions.create({ ...ask('always'), stream: true }))) as SdkError;
    expect(err.status).toBe(400);
    expect(err.message).toBe('400 Unrecognized request argument supplied: stream_options');
    expect(sent(before)).toEqual(['with']);
  });
});

describe('stream_usage: never', () => {
  it('the field is never sent, not even the client\'s own; the client still gets its usage', async () => {
    const before = strict.requests.length;
    const { chunks: got, error } = await readStream(
      await sdk(gw, wire.fetch, 0).chat.completions.create({ ...ask('never'), stream: true, stream_options: { include_usage: true } }),
    );
    expect(error).toBeUndefined();
    expect(got.at(-1)!.usage!.completion_tokens).toBe(countText(WORDS.join('')));
    expect(sent(before)).toEqual(['without']);
  });
});

describe('config', () => {
  it('stream_usage is one of always, never, auto; auto when absent', () => {
    const doc = (d: Record<string, unknown>) => ({ models: [{ ...upstreamModel('m', [{ base_url: 'http://127.0.0.1:1/v1' }]), deployments: [{ base_url: 'http://127.0.0.1:1/v1', ...d }] }] });
    expect(parseConfig(doc({}), {}).models[0]!.deployments[0]!.stream_usage).toBe('auto');
    expect(parseConfig(doc({ stream_usage: 'never' }), {}).models[0]!.deployments[0]!.stream_usage).toBe('never');
    expect(() => parseConfig(doc({ stream_usage: 'sometimes' }), {})).toThrow(/stream_usage/);
  });
});
