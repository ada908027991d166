/**
 * Issue 4's acceptance at the gateway level: the x-ratelimit-* headers follow a continuously
 * refilling bucket, the 429s carry OpenAI's words and a truthful retry hint that the official SDK
 * honours, a request that can never fit is not retried, and settlement gives back what a request
 * reserved but did not use — also when the client goes away in the middle of a stream.
 *
 * Every check on a header compares it with `BucketModel`, an independent model computed here
 * from the limits and the moments each request was sent and answered.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { BucketModel, countingFetch, drainRequests, goDurationMs, longAnswerSeed, rejection, sdk, startAcceptanceGateway } from './helpers.js';
import { formatUsd } from '../../src/billing/pricing.js';

let gw: TestGateway;
let main: OpenAI;

beforeAll(async () => {
  gw = await startAcceptanceGateway();
  main = sdk(gw);
});
afterAll(() => gw.close());

const MINUTE = 60_000;
const DAY = 86_400_000;

async function tenantWithLimits(name: string, model: string, limits: Record<string, number | null>) {
  const t = await gw.newTenant(name);
  const r = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/${model}`, limits);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return t;
}

const num = (h: Headers, name: string): number => {
  const v = h.get(name);
  expect(v, `header ${name}`).not.toBeNull();
  return Number(v);
};

/** The prompt tokens the gateway counts for a message list (every answer reports them). */
async function promptTokens(model: string, content: string): Promise<number> {
  const r = await main.chat.completions.create({ model, messages: [{ role: 'user', content }], max_tokens: 1 });
  return r.usage!.prompt_tokens;
}

describe('rate-limit headers', () => {
  it('count down requests and tokens as a continuously refilling bucket, with Go-style resets', async () => {
    const t = await tenantWithLimits('rl-headers', 'sim-small', { max_requests_per_1_minute: 5, max_tokens_per_1_minute: 1000 });
    const client = sdk(gw, { apiKey: t.apiKey });
    const rpm = new BucketModel(5, MINUTE);
    const tpm = new BucketModel(1000, MINUTE);
    const maxTokens = 50;

    for (let i = 0; i < 5; i++) {
      const c = Date.now();
      const { data, response } = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: `Request number ${i}` }], max_tokens: maxTokens }).withResponse();
      const d = Date.now();
      const h = response.headers;
      const reserved = data.usage!.prompt_tokens + maxTokens;
      rpm.debit(1, c, d);
      tpm.debit(reserved, c, d);

      expect(h.get('x-ratelimit-limit-requests')).toBe('5');
      expect(h.get('x-ratelimit-limit-tokens')).toBe('1000');
      // One request refills every 12 s, far longer than this loop: the count is exact.
      expect(num(h, 'x-ratelimit-remaining-requests')).toBe(4 - i);
      if (i === 0) expect(num(h, 'x-ratelimit-remaining-tokens')).toBe(1000 - reserved); // a full bucket cannot refill
      rpm.checkReset(goDurationMs(h.get('x-ratelimit-reset-requests')!), `request ${i}`);
      tpm.checkReset(goDurationMs(h.get('x-ratelimit-reset-tokens')!), `request ${i}`);
      rpm.observeRemaining(num(h, 'x-ratelimit-remaining-requests'), `request ${i}`);
      tpm.observeRemaining(num(h, 'x-ratelimit-remaining-tokens'), `request ${i}`);
      // Settlement runs off the response's path (an answer never waits on the counters); once it
      // has landed, the unused part of max_tokens is back.
      await gw.gateway.services.settlements.idle();
      tpm.refund(maxTokens - data.usage!.completion_tokens, c, d);
    }

    // The sixth request in the minute: OpenAI's 429, with a wait that matches the model.
    const c = Date.now();
    const err = await rejection(client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'One too many' }], max_tokens: maxTokens }));
    const d = Date.now();
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.type).toBe('requests');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.param).toBeNull();
    const message = (e.error as { message: string }).message;
    const duration = /Please try again in (\S+)\. Visit/.exec(message)?.[1];
    expect(duration, message).toBeDefined();
    expect(message).toBe(
      `Rate limit reached for sim-small in organization ${t.orgId} on requests per min (RPM): Limit 5, Used 5, Requested 1. Please try again in ${duration}. Visit http://gateway.test/limits to learn more.`,
    );
    const retryMs = num(e.headers, 'retry-after-ms');
    expect(Number.isInteger(retryMs) && retryMs > 0).toBe(true);
    expect(goDurationMs(duration!)).toBe(retryMs);
    expect(num(e.headers, 'retry-after')).toBe(Math.ceil(retryMs / 1000));
    const [waitLo, waitHi] = rpm.waitBounds(1, c, d);
    expect(retryMs).toBeGreaterThanOrEqual(waitLo);
    // Plus upward jitter: at most 10 % of the 12 s a request takes to refill, capped at 1 s.
    expect(retryMs).toBeLessThanOrEqual(waitHi + 1000);
    // The 429 reports the state it was refused against, and took nothing.
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const [tokLo, tokHi] = tpm.peek(c, d);
    expect(num(e.headers, 'x-ratelimit-remaining-tokens')).toBeGreaterThanOrEqual(Math.floor(tokLo));
    expect(num(e.headers, 'x-ratelimit-remaining-tokens')).toBeLessThanOrEqual(Math.floor(tokHi));
  });
});

describe('a request larger than the whole limit', () => {
  it('is refused with "Request too large", x-should-retry: false, and the SDK sends it once', async () => {
    const content = 'Please write a very long essay';
    const prompt = await promptTokens('sim-small', content);
    const t = await tenantWithLimits('rl-too-large', 'sim-small', { max_tokens_per_1_minute: 100 });
    const { fetch, sent } = countingFetch();
    const client = sdk(gw, { apiKey: t.apiKey, maxRetries: 2, fetch });

    const err = await rejection(client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content }], max_tokens: 500 }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(sent).toHaveLength(1);
    expect(e.type).toBe('tokens');
    expect(e.code).toBe('rate_limit_exceeded');
    expect((e.error as { message: string }).message).toBe(
      `Request too large for sim-small in organization ${t.orgId} on tokens per min (TPM): Limit 100, Requested ${prompt + 500}. The input or output tokens must be reduced in order to run successfully. Visit http://gateway.test/limits to learn more.`,
    );
    expect(e.headers.get('x-should-retry')).toBe('false');
    // No wait can help, so none is advertised.
    expect(e.headers.get('retry-after-ms')).toBeNull();
    expect(e.headers.get('retry-after')).toBeNull();
    // The refusal took nothing: a request that fits still passes at once.
    const ok = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content }], max_tokens: 5 }).withResponse();
    expect(num(ok.response.headers, 'x-ratelimit-remaining-tokens')).toBe(100 - prompt - 5);
  });
});

describe('the retry hint', () => {
  it('is what the official SDK waits for, and the retry then succeeds', { timeout: 60_000 }, async () => {
    // 24 a minute: one request refills every 2.5 s, a wide margin against a slow machine between
    // the drain below and the SDK's first attempt (milliseconds apart), and a wait the SDK honours
    // (under its 60 s cap).
    const perMinute = 24;
    const refillMs = MINUTE / perMinute;
    const t = await tenantWithLimits('rl-refill', 'sim-small', { max_requests_per_1_minute: perMinute });
    // A full bucket holds exactly 24; drain whatever refilled meanwhile.
    await drainRequests(gw, t.apiKey, perMinute);

    const counting = countingFetch();
    const sent = counting.sent;
    const client = sdk(gw, { apiKey: t.apiKey, maxRetries: 2, fetch: counting.fetch });
    const started = performance.now();
    const answer = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'tock' }], max_tokens: 1 });
    const took = performance.now() - started;
    expect(answer.object).toBe('chat.completion');
    // One refusal, then the retry at the hinted moment passes: the hint is not too short.
    expect(sent.map((s) => s.status)).toEqual([429, 200]);
    const hint = num(sent[0]!.headers!, 'retry-after-ms');
    // Behind the caller refused just before it (staggered by one refill, with jitter of at most a
    // tenth of a refill each), and never behind another organization's callers.
    expect(hint).toBeGreaterThan(refillMs);
    expect(hint).toBeLessThanOrEqual(2 * refillMs + 2 * (refillMs / 10));
    // The SDK slept the hint (never less; how much more depends on the machine, not asserted).
    expect(took).toBeGreaterThanOrEqual(hint);
  });
});

describe('settlement', () => {
  it('gives back max_tokens minus what was used to the per-minute token bucket', async () => {
    const t = await tenantWithLimits('rl-settle', 'sim-small', { max_tokens_per_1_minute: 100_000 });
    const client = sdk(gw, { apiKey: t.apiKey });
    const tpm = new BucketModel(100_000, MINUTE);

    const c1 = Date.now();
    const first = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 1000, seed: 4 }).withResponse();
    const d1 = Date.now();
    const used = first.data.usage!;
    expect(used.completion_tokens).toBeGreaterThan(0);
    expect(used.completion_tokens).toBeLessThan(1000);
    tpm.debit(used.prompt_tokens + 1000, c1, d1);
    expect(num(first.response.headers, 'x-ratelimit-remaining-tokens')).toBe(100_000 - used.prompt_tokens - 1000);
    tpm.observeRemaining(num(first.response.headers, 'x-ratelimit-remaining-tokens'), 'first');
    tpm.refund(1000 - used.completion_tokens, c1, d1);

    const c2 = Date.now();
    const second = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Again' }], max_tokens: 10 }).withResponse();
    const d2 = Date.now();
    tpm.debit(second.data.usage!.prompt_tokens + 10, c2, d2);
    tpm.observeRemaining(num(second.response.headers, 'x-ratelimit-remaining-tokens'), 'second');
  });

  it('shows the refund exactly on a daily bucket, where refill is negligible', async () => {
    const t = await tenantWithLimits('rl-settle-day', 'sim-small', { max_tokens_per_1_day: 100_000 });
    const client = sdk(gw, { apiKey: t.apiKey });
    const first = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 1000, seed: 4 }).withResponse();
    const u1 = first.data.usage!;
    const r1 = num(first.response.headers, 'x-ratelimit-remaining-tokens');
    expect(r1).toBe(100_000 - u1.prompt_tokens - 1000);
    const second = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Again' }], max_tokens: 10 }).withResponse();
    const u2 = second.data.usage!;
    // 100 000 tokens a day refill about 1.16 tokens a second: within a few seconds the level is
    // what the two requests really used, plus at most a few tokens of refill.
    const expected = 100_000 - u1.total_tokens - (u2.prompt_tokens + 10);
    const r2 = num(second.response.headers, 'x-ratelimit-remaining-tokens');
    expect(r2).toBeGreaterThanOrEqual(expected);
    expect(r2).toBeLessThanOrEqual(expected + 5);
  });
});

describe('a client that disconnects in the middle of a stream', () => {
  it('is charged and counted for what was produced, and the bucket gets the rest back', async () => {
    const content = 'Tell me everything you know';
    const { seed, tokens: fullTokens } = await longAnswerSeed(main, content, 120);
    const t = await tenantWithLimits('rl-disconnect', 'sim-slow', { max_tokens_per_1_day: 100_000 });
    const client = sdk(gw, { apiKey: t.apiKey });
    const tpd = new BucketModel(100_000, DAY);
    const startSeconds = Math.floor(Date.now() / 1000) - 60;

    const c0 = Date.now();
    const { data: stream, response } = await client.chat.completions.create({ model: 'sim-slow', messages: [{ role: 'user', content }], seed, max_tokens: 2000, stream: true }).withResponse();
    const d0 = Date.now();
    const remainingAtStart = num(response.headers, 'x-ratelimit-remaining-tokens');
    const it = stream[Symbol.asyncIterator]();
    let received = '';
    for (let i = 0; i < 4; i++) {
      const next = await it.next();
      expect(next.done).toBe(false);
      received += next.value.choices[0]?.delta?.content ?? '';
    }
    expect(received.length).toBeGreaterThan(0);
    const aborted = Date.now();
    stream.controller.abort();

    // The usage event is written after settlement; wait for it to reach the ledger.
    let usage: { input_tokens: number; output_tokens: number; num_model_requests: number } | undefined;
    await vi.waitFor(
      async () => {
        await gw.gateway.services.ledger.flush();
        const r = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/usage/completions?start_time=${startSeconds}&bucket_width=1d`);
        expect(r.status).toBe(200);
        usage = r.body.data.flatMap((b: { results: unknown[] }) => b.results)[0];
        expect(usage?.num_model_requests).toBe(1);
      },
      { timeout: 15_000, interval: 20 },
    );
    // The ledger record comes first; the counters' settlement lands right after, off the path.
    await gw.gateway.services.settlements.idle();
    const observed = Date.now();
    const prompt = usage!.input_tokens;
    const produced = usage!.output_tokens;
    expect(remainingAtStart).toBe(100_000 - prompt - 2000);
    expect(produced).toBeGreaterThan(0);
    // Four chunks were read before the abort; the full answer has `fullTokens`.
    expect(produced, `produced ${produced} of ${fullTokens}`).toBeLessThan(fullTokens / 2);
    const billing = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/billing`);
    // Exact: $0.15 and $0.60 per 1M tokens are 150,000 and 600,000 pico-dollars a token, nothing rounded.
    expect(billing.body.spent_usd).toBe(Number(formatUsd(BigInt(prompt) * 150_000n + BigInt(produced) * 600_000n)));
    expect(billing.body.reserved_usd).toBe(0);

    tpd.debit(prompt + 2000, c0, d0);
    tpd.observeRemaining(remainingAtStart, 'stream');
    tpd.refund(2000 - produced, aborted, observed);
    const c1 = Date.now();
    const next = await client.chat.completions.create({ model: 'sim-slow', messages: [{ role: 'user', content: 'x' }], max_tokens: 1 }).withResponse();
    const d1 = Date.now();
    tpd.debit(next.data.usage!.prompt_tokens + 1, c1, d1);
    tpd.observeRemaining(num(next.response.headers, 'x-ratelimit-remaining-tokens'), 'after the disconnect');
  });
});
