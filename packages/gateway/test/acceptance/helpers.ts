/**
 * Shared pieces of the gateway-level acceptance tests: the model set they run against, an
 * independent model of a continuously refilling token bucket, a fetch wrapper that counts what
 * the SDK really sends, and checks of the OpenAI error envelope.
 */
import OpenAI from 'openai';
import { expect } from 'vitest';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';

const SMALL_PRICING = { input_per_1m: 0.15, output_per_1m: 0.6 };

/**
 * The default models plus `sim-slow`, a simulator that streams at a fixed speed so that a stream
 * can be caught in flight. Listing models replaces the defaults, so the defaults are repeated.
 */
export function acceptanceModels(slow: { tokens_per_second: number } = { tokens_per_second: 200 }): Record<string, unknown>[] {
  return [
    { name: 'sim-small', context_window: 8192, max_output_tokens: 4096, pricing: SMALL_PRICING },
    { name: 'sim-large', context_window: 128_000, max_output_tokens: 16_384, pricing: { input_per_1m: 2.5, output_per_1m: 10 } },
    { name: 'sim-embed', type: 'embedding', context_window: 8192, max_output_tokens: 1, pricing: { input_per_1m: 0.02, output_per_1m: 0 } },
    {
      name: 'sim-slow',
      context_window: 8192,
      max_output_tokens: 4096,
      pricing: SMALL_PRICING,
      simulator: { tokens_per_second: slow.tokens_per_second, ttft_ms: 0, max_concurrency: 256, max_queue: 256 },
    },
  ];
}

/** USD per million tokens → µ$ per million tokens, as the operator wrote the decimal. */
const PRICES_MICROS: Record<string, { input: number; output: number }> = {
  'sim-small': { input: 150_000, output: 600_000 },
  'sim-slow': { input: 150_000, output: 600_000 },
  'sim-large': { input: 2_500_000, output: 10_000_000 },
  'sim-embed': { input: 20_000, output: 0 },
};

/** What a request should cost in pico-dollars: tokens × µ$ per 1M tokens, exactly (no rounding). */
export function expectedCostPico(model: string, prompt: number, completion: number): bigint {
  const p = PRICES_MICROS[model];
  if (!p) throw new Error(`no price for ${model}`);
  return BigInt(prompt) * BigInt(p.input) + BigInt(completion) * BigInt(p.output);
}

export async function startAcceptanceGateway(doc: Record<string, unknown> = {}, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  return startTestGateway({ models: acceptanceModels(), usage: { flush_interval_ms: 20 }, ...doc }, opts);
}

export interface SentRequest {
  method: string;
  url: string;
  status?: number;
  headers?: Headers;
}

/** A fetch for the SDK that records every request it sends and the response it got. */
export function countingFetch(): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const f: typeof fetch = async (input, init) => {
    const req: SentRequest = { method: init?.method ?? 'GET', url: String(input instanceof Request ? input.url : input) };
    sent.push(req);
    const res = await fetch(input, init);
    req.status = res.status;
    req.headers = res.headers;
    return res;
  };
  return { fetch: f, sent };
}

export function sdk(gw: TestGateway, opts: { apiKey?: string; maxRetries?: number; fetch?: typeof fetch; organization?: string; defaultHeaders?: Record<string, string | null> } = {}): OpenAI {
  return new OpenAI({
    baseURL: gw.baseURL,
    apiKey: opts.apiKey ?? gw.apiKey,
    maxRetries: opts.maxRetries ?? 0,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.organization ? { organization: opts.organization } : {}),
    ...(opts.defaultHeaders ? { defaultHeaders: opts.defaultHeaders } : {}),
  });
}

/**
 * Spends a key's whole per-minute request bucket of sim-small (`perMinute` requests at once, then
 * whatever refilled meanwhile) with raw requests, until one is refused with a 429.
 */
export async function drainRequests(gw: TestGateway, apiKey: string, perMinute: number): Promise<void> {
  const raw = () =>
    fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'tick' }], max_tokens: 1 }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r;
    });
  const burst = await Promise.all(Array.from({ length: perMinute }, raw));
  expect(burst.map((r) => r.status)).toEqual(Array(perMinute).fill(200));
  let refused = await raw();
  for (let i = 0; i < 3 && refused.status === 200; i++) refused = await raw();
  expect(refused.status).toBe(429);
}

export { rejection } from '../support/rejection.js';

/** The OpenAI error envelope: exactly the four keys, with their types. */
export function expectErrorEnvelope(body: unknown): { message: string; type: string; param: string | null; code: string | null } {
  expect(body).toBeTypeOf('object');
  expect(Object.keys(body as object)).toEqual(['error']);
  const e = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(e).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof e.message).toBe('string');
  expect((e.message as string).length).toBeGreaterThan(0);
  expect(typeof e.type).toBe('string');
  expect(e.param === null || typeof e.param === 'string').toBe(true);
  expect(e.code === null || typeof e.code === 'string').toBe(true);
  return e as never;
}

/** A Go duration as the gateway prints it: `0s`, `120ms`, `1.5ms`, `2.572s`, `6m0s`, `1h2m3.5s`. */
export const GO_DURATION = /^(0s|\d+(\.\d+)?(µs|ms)|(\d+h)?(\d+m)?\d+(\.\d+)?s)$/;

/** Parses a Go duration to milliseconds (written here, not imported, to check the gateway's). */
export function goDurationMs(text: string): number {
  expect(text).toMatch(GO_DURATION);
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|µs|m|s)/g)) {
    const v = Number(m[1]);
    ms += m[2] === 'h' ? v * 3_600_000 : m[2] === 'm' ? v * 60_000 : m[2] === 's' ? v * 1000 : m[2] === 'ms' ? v : v / 1000;
  }
  return ms;
}

const EPS = 1e-6;

/**
 * An independent model of one token bucket that refills continuously (capacity per window).
 * The gateway decides at a moment we cannot see exactly, somewhere between sending a request and
 * receiving its answer, so the model keeps the level as an interval [lo, hi] together with the
 * interval [a, b] in which the last change happened. An event at an unknown moment in [c, d]
 * refills by at least (c − b) and at most (d − a) times the rate.
 */
export class BucketModel {
  private lo: number;
  private hi: number;
  private a: number;
  private b: number;
  readonly perMs: number;

  constructor(
    readonly capacity: number,
    windowMs: number,
    start = 0,
  ) {
    this.perMs = capacity / windowMs;
    this.lo = this.hi = capacity;
    this.a = this.b = start;
  }

  /** The level bounds at an unknown moment in [c, d], refilled but not yet changed. */
  peek(c: number, d: number): [number, number] {
    const minGain = Math.max(0, c - this.b) * this.perMs;
    const maxGain = Math.max(0, d - this.a) * this.perMs;
    return [Math.min(this.capacity, this.lo + minGain), Math.min(this.capacity, this.hi + maxGain)];
  }

  /** A reservation of `cost` made at an unknown moment in [c, d]. */
  debit(cost: number, c: number, d: number): void {
    const [lo, hi] = this.peek(c, d);
    this.set(lo - cost, hi - cost, c, d);
  }

  /** A refund made at an unknown moment in [c, d]; never above capacity. */
  refund(amount: number, c: number, d: number): void {
    const [lo, hi] = this.peek(c, d);
    this.set(Math.min(this.capacity, lo + amount), Math.min(this.capacity, hi + amount), c, d);
  }

  /** Whole tokens left as the gateway reports them, as bounds. */
  remainingBounds(): [number, number] {
    return [Math.max(0, Math.floor(this.lo + EPS)), Math.max(0, Math.floor(this.hi + EPS))];
  }

  /** Milliseconds until full (the reset header), as bounds. */
  resetBounds(): [number, number] {
    return [Math.max(0, Math.ceil((this.capacity - this.hi) / this.perMs - EPS)), Math.max(0, Math.ceil((this.capacity - this.lo) / this.perMs + EPS))];
  }

  /** Checks a reported remaining value against the model, then narrows the model with it. */
  observeRemaining(reported: number, what: string): void {
    const [lo, hi] = this.remainingBounds();
    expect(reported, `${what}: remaining ${reported} outside the model's [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo);
    expect(reported, `${what}: remaining ${reported} outside the model's [${lo}, ${hi}]`).toBeLessThanOrEqual(hi);
    // The level is in [reported, reported + 1) (or below 1 when the report is 0).
    if (reported > 0) this.lo = Math.max(this.lo, reported);
    this.hi = Math.min(this.hi, reported + 1);
  }

  /** Checks a reported reset duration (ms) against the model. */
  checkReset(reportedMs: number, what: string): void {
    const [lo, hi] = this.resetBounds();
    expect(reportedMs, `${what}: reset ${reportedMs} ms outside the model's [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo);
    expect(reportedMs, `${what}: reset ${reportedMs} ms outside the model's [${lo}, ${hi}]`).toBeLessThanOrEqual(hi);
  }

  /** The wait (ms) until `cost` fits, for a decision at an unknown moment in [c, d], as bounds. */
  waitBounds(cost: number, c: number, d: number): [number, number] {
    const [lo, hi] = this.peek(c, d);
    return [Math.max(0, Math.ceil((cost - hi) / this.perMs - EPS)), Math.max(0, Math.ceil((cost - lo) / this.perMs + EPS))];
  }

  private set(lo: number, hi: number, c: number, d: number): void {
    this.lo = lo;
    this.hi = hi;
    this.a = c;
    this.b = d;
  }
}

/** A seed whose natural answer (sim-small, same text for every simulator model) is long. */
export async function longAnswerSeed(client: OpenAI, content: string, minTokens: number): Promise<{ seed: number; tokens: number }> {
  for (let seed = 1; seed < 200; seed++) {
    const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content }], seed, max_tokens: 4096 });
    if (r.usage!.completion_tokens >= minTokens) return { seed, tokens: r.usage!.completion_tokens };
  }
  throw new Error(`no seed gives ${minTokens} tokens`);
}
