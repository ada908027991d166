import { formatDuration, renderErrorBody } from '@tollgate/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClock, ApiError, MemoryCounterStore, type LimitSet } from 'tollgate';
import { RateLimiter, type ReserveInput } from '../../src/limits/index.js';

const PUBLIC_URL = 'https://gw.example.com';
const MIN = 60_000;
const DAY = 86_400_000;

function setup() {
  const clock = new FakeClock();
  const store = new MemoryCounterStore(clock);
  const limiter = new RateLimiter(store, { leaseMs: 60_000, clock, random: () => 0 });
  let n = 0;
  const reserve = (over: Partial<ReserveInput> & { orgLimits: LimitSet }) =>
    limiter.reserve({ requestId: `req_${++n}`, orgId: 'org-abc', keyId: 'key_1', model: 'gpt-4o-mini', tokens: 1, ...over });
  return { clock, store, limiter, reserve };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const messageOf = (e: ApiError) => renderErrorBody(e.entry, e.vars, { publicUrl: PUBLIC_URL }).error.message;

/** An independent model of one bucket: level kept as tokens × window (exact), refill limit per ms. */
class ModelBucket {
  private level: number;
  private ts: number;
  constructor(
    readonly limit: number,
    readonly window: number,
    now: number,
  ) {
    this.level = limit * window;
    this.ts = now;
  }
  private at(now: number) {
    this.level = Math.min(this.limit * this.window, this.level + (now - this.ts) * this.limit);
    this.ts = now;
  }
  take(cost: number, now: number) {
    this.at(now);
    this.level -= cost * this.window;
  }
  give(tokens: number, now: number) {
    this.at(now);
    this.level = Math.min(this.limit * this.window, this.level + tokens * this.window);
  }
  state(now: number) {
    this.at(now);
    const cap = this.limit * this.window;
    return { limit: this.limit, remaining: Math.max(0, Math.floor(this.level / this.window)), resetMs: Math.ceil((cap - this.level) / this.limit) };
  }
}

/** The header family for a set of model buckets: fewest remaining, ties to the longest reset. */
function modelHeaders(kind: 'requests' | 'tokens', buckets: ModelBucket[], now: number): Record<string, string> {
  const states = buckets.map((b) => b.state(now)).sort((a, b) => a.remaining - b.remaining || b.resetMs - a.resetMs);
  const s = states[0]!;
  return { [`x-ratelimit-limit-${kind}`]: String(s.limit), [`x-ratelimit-remaining-${kind}`]: String(s.remaining), [`x-ratelimit-reset-${kind}`]: formatDuration(s.resetMs) };
}

describe('RateLimiter headers', () => {
  it('describe the binding bucket of each kind, matching an independent model over time', async () => {
    const { clock, reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 20, max_tokens_per_1_minute: 5_000, max_requests_per_1_day: 30, max_tokens_per_1_day: 12_000 };
    const keyLimits = { max_tokens_per_1_minute: 3_000 };
    const t0 = clock.now();
    const rpm = new ModelBucket(20, MIN, t0);
    const rpd = new ModelBucket(30, DAY, t0);
    const tpm = new ModelBucket(5_000, MIN, t0);
    const tpd = new ModelBucket(12_000, DAY, t0);
    const keyTpm = new ModelBucket(3_000, MIN, t0);
    const steps = [
      { tokens: 700, advance: 0 },
      { tokens: 1_200, advance: 1_500 },
      { tokens: 400, advance: 250 },
      { tokens: 900, advance: 20_000 },
      { tokens: 1, advance: 7 },
      { tokens: 2_000, advance: 45_000 },
      { tokens: 100, advance: 61_000 },
    ];
    for (const step of steps) {
      await clock.advance(step.advance);
      const now = clock.now();
      const a = await reserve({ tokens: step.tokens, orgLimits, keyLimits });
      rpm.take(1, now);
      rpd.take(1, now);
      for (const b of [tpm, tpd, keyTpm]) b.take(step.tokens, now);
      expect(a.headers).toEqual({ ...modelHeaders('requests', [rpm, rpd], now), ...modelHeaders('tokens', [tpm, tpd, keyTpm], now) });
    }
  });

  it('start as OpenAI documents them: limit, limit − used, time to refill', async () => {
    const { reserve } = setup();
    const a = await reserve({ tokens: 16, orgLimits: { max_requests_per_1_minute: 60, max_tokens_per_1_minute: 150_000 } });
    expect(a.headers).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-tokens': '7ms', // 16 tokens at 2.5 per ms, rounded up to whole ms
    });
  });

  it('omit a kind that has no limit, and everything when nothing is limited', async () => {
    const { reserve } = setup();
    const a = await reserve({ orgLimits: { max_requests_per_1_day: 5, max_tokens_per_1_minute: null } });
    expect(Object.keys(a.headers).sort()).toEqual(['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests']);
    const b = await reserve({ orgLimits: {} });
    expect(b.headers).toEqual({});
    await b.settle(10);
  });
});

describe('RateLimiter rejections: OpenAI wording byte for byte', () => {
  it('RPM', async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 3 };
    for (let i = 0; i < 3; i++) await reserve({ orgLimits });
    const e = await rejection(reserve({ orgLimits }));
    expect(e.status).toBe(429);
    expect(e.entry.id).toBe('rate_limit_requests');
    expect(renderErrorBody(e.entry, e.vars, { publicUrl: PUBLIC_URL })).toEqual({
      error: {
        message:
          'Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://gw.example.com/limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(e.headers).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m0s',
      'retry-after-ms': '20000',
      'retry-after': '20',
    });
  });

  it('TPM', async () => {
    const { reserve } = setup();
    const orgLimits = { max_tokens_per_1_minute: 30_000 };
    await reserve({ orgLimits, tokens: 29_000 });
    const e = await rejection(reserve({ orgLimits, tokens: 2_000 }));
    expect(e.entry.id).toBe('rate_limit_tokens');
    expect(messageOf(e)).toBe(
      'Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2s. Visit https://gw.example.com/limits to learn more.',
    );
    expect(e.headers['retry-after-ms']).toBe('2000');
    expect(e.headers['x-ratelimit-remaining-tokens']).toBe('1000');
    expect(e.headers['x-should-retry']).toBeUndefined();
  });

  it('TPM with a fractional wait', async () => {
    const { reserve } = setup();
    const orgLimits = { max_tokens_per_1_minute: 30_000 };
    await reserve({ orgLimits, tokens: 29_000 });
    const e = await rejection(reserve({ orgLimits, tokens: 2_100 }));
    expect(messageOf(e)).toContain('Used 29000, Requested 2100. Please try again in 2.2s.');
    expect(e.headers).toMatchObject({ 'retry-after-ms': '2200', 'retry-after': '3' });
  });

  it('RPD', async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_day: 200 };
    for (let i = 0; i < 200; i++) await reserve({ orgLimits });
    const e = await rejection(reserve({ orgLimits }));
    expect(messageOf(e)).toBe(
      'Rate limit reached for gpt-4o-mini in organization org-abc on requests per day (RPD): Limit 200, Used 200, Requested 1. Please try again in 7m12s. Visit https://gw.example.com/limits to learn more.',
    );
    expect(e.headers['retry-after-ms']).toBe('432000');
  });

  it('TPD', async () => {
    const { reserve } = setup();
    const orgLimits = { max_tokens_per_1_day: 1_000_000 };
    await reserve({ orgLimits, tokens: 999_000 });
    const e = await rejection(reserve({ orgLimits, tokens: 2_500 }));
    expect(e.entry.id).toBe('rate_limit_tokens');
    expect(messageOf(e)).toBe(
      'Rate limit reached for gpt-4o-mini in organization org-abc on tokens per day (TPD): Limit 1000000, Used 999000, Requested 2500. Please try again in 2m9.6s. Visit https://gw.example.com/limits to learn more.',
    );
  });

  it('request too large: never retryable', async () => {
    const { reserve } = setup();
    const e = await rejection(reserve({ orgLimits: { max_tokens_per_1_minute: 30_000 }, tokens: 31_538 }));
    expect(e.entry.id).toBe('request_too_large');
    expect(renderErrorBody(e.entry, e.vars, { publicUrl: PUBLIC_URL }).error).toEqual({
      message:
        'Request too large for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 30000, Requested 31538. The input or output tokens must be reduced in order to run successfully. Visit https://gw.example.com/limits to learn more.',
      type: 'tokens',
      param: null,
      code: 'rate_limit_exceeded',
    });
    expect(e.headers).toEqual({ 'x-ratelimit-limit-tokens': '30000', 'x-ratelimit-remaining-tokens': '30000', 'x-ratelimit-reset-tokens': '0s', 'x-should-retry': 'false' });
  });

  it('insufficient quota comes first and is never retryable', async () => {
    const { reserve } = setup();
    const spend = (amount: bigint) => ({ key: '2026-01', hardLimit: 1_000_000n, amount, periodEndMs: Date.UTC(2026, 1, 1) });
    await reserve({ orgLimits: {}, spend: spend(900_000n) });
    // The tokens are too many as well; the quota error still wins.
    const e = await rejection(reserve({ orgLimits: { max_tokens_per_1_minute: 10 }, tokens: 50, spend: spend(200_000n) }));
    // The operator's approved quota: OpenAI's own code.
    expect(e.entry.id).toBe('insufficient_quota');
    expect(e.entry.type).toBe('insufficient_quota');
    expect(messageOf(e)).toBe(
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://gw.example.com/docs/errors#insufficient_quota.',
    );
    expect(e.headers['x-should-retry']).toBe('false');
    expect(e.headers['retry-after']).toBeUndefined();
    // The organization's own spend limit names itself.
    const own = await rejection(reserve({ orgLimits: {}, spend: spend(200_000n), ownSpendLimit: true }));
    expect(own.entry.id).toBe('organization_spend_limit_exceeded');
    expect(messageOf(own)).toBe(
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://gw.example.com/docs/errors#organization_spend_limit_exceeded.',
    );
    expect(own.headers['x-should-retry']).toBe('false');
  });

  it('a never-fitting bucket wins over a retryable one; otherwise the longest wait wins', async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 1, max_tokens_per_1_minute: 1_000 };
    await reserve({ orgLimits, tokens: 900 });
    expect((await rejection(reserve({ orgLimits, tokens: 1_001 }))).entry.id).toBe('request_too_large');
    // RPM waits 60 s, TPM waits (200 − 100) × 60 ms = 6 s: the requests error, with 60 s.
    const e = await rejection(reserve({ orgLimits, tokens: 200 }));
    expect(e.entry.id).toBe('rate_limit_requests');
    expect(e.vars.wait).toBe('1m0s');
    expect(e.headers['retry-after-ms']).toBe('60000');
  });

  it('a per-key limit uses the same words, names the organization and links the API keys page', async () => {
    const { reserve } = setup();
    const keyLimits = { max_tokens_per_1_minute: 100 };
    await reserve({ orgLimits: { max_tokens_per_1_minute: 10_000 }, keyLimits, tokens: 100 });
    const e = await rejection(reserve({ orgLimits: { max_tokens_per_1_minute: 10_000 }, keyLimits, tokens: 10 }));
    expect(messageOf(e)).toBe(
      'Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 100, Used 100, Requested 10. Please try again in 6s. Visit https://gw.example.com/api-keys to learn more.',
    );
    // The binding token bucket in the headers is the key's.
    expect(e.headers['x-ratelimit-limit-tokens']).toBe('100');
    // Another key of the same org is not limited by it.
    expect((await reserve({ orgLimits: { max_tokens_per_1_minute: 10_000 }, keyLimits, keyId: 'key_2', tokens: 10 })).headers['x-ratelimit-remaining-tokens']).toBe('90');
  });

  it("a project's limit: OpenAI's words with the project's figures and a link to its page", async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 1_000, max_tokens_per_1_minute: 10_000, max_requests_per_1_day: 10_000 };
    const projectLimits = { max_requests_per_1_minute: 100, max_tokens_per_1_minute: 100, max_requests_per_1_day: 2 };
    const project = { orgLimits, projectId: 'proj_1', projectLimits };
    await reserve({ ...project, tokens: 60 });
    const tpm = await rejection(reserve({ ...project, tokens: 50 }));
    expect(tpm.entry.id).toBe('rate_limit_tokens');
    expect(messageOf(tpm)).toBe(
      'Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 100, Used 60, Requested 50. Please try again in 6s. Visit https://gw.example.com/projects/proj_1 to learn more.',
    );
    const tooLarge = await rejection(reserve({ ...project, tokens: 101 }));
    expect(tooLarge.entry.id).toBe('request_too_large');
    expect(messageOf(tooLarge)).toBe(
      'Request too large for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 100, Requested 101. The input or output tokens must be reduced in order to run successfully. Visit https://gw.example.com/projects/proj_1 to learn more.',
    );
    await reserve({ ...project, tokens: 1 });
    const rpd = await rejection(reserve({ ...project, tokens: 1 }));
    expect(messageOf(rpd)).toMatch(/^Rate limit reached for gpt-4o-mini in organization org-abc on requests per day \(RPD\): Limit 2, Used 2, Requested 1\. .* Visit https:\/\/gw\.example\.com\/projects\/proj_1 to learn more\.$/);
    // The organization's own limit still links the organization's page.
    const org = await rejection(reserve({ orgLimits: { max_tokens_per_1_minute: 10 }, projectId: 'proj_1', projectLimits, tokens: 20 }));
    expect(messageOf(org)).toMatch(/ Visit https:\/\/gw\.example\.com\/limits to learn more\.$/);
  });

  it("headers: the plain families are the binding limit, whoever's it is; a project's own limits are also x-ratelimit-*-project-*", async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 1_000, max_tokens_per_1_minute: 10_000 };
    const projectLimits = { max_requests_per_1_minute: 2, max_tokens_per_1_minute: 100 };
    const a = await reserve({ orgLimits, projectId: 'proj_1', projectLimits, tokens: 60 });
    // The project's limits have fewer left than the organization's: they bind, in both families.
    expect(a.headers).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-tokens': '40',
      'x-ratelimit-reset-tokens': '36s',
      'x-ratelimit-limit-project-requests': '2',
      'x-ratelimit-remaining-project-requests': '1',
      'x-ratelimit-reset-project-requests': '30s',
      'x-ratelimit-limit-project-tokens': '100',
      'x-ratelimit-remaining-project-tokens': '40',
      'x-ratelimit-reset-project-tokens': '36s',
    });
    // A refusal by the project's tokens carries the same families: the headers say what the message says.
    const e = await rejection(reserve({ orgLimits, projectId: 'proj_1', projectLimits, tokens: 50 }));
    expect(messageOf(e)).toContain('on tokens per min (TPM): Limit 100, Used 60, Requested 50.');
    expect(e.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '40', 'x-ratelimit-limit-project-tokens': '100', 'retry-after-ms': '6000' });
    // A project with only request limits gets only the requests family of its own.
    const b = await reserve({ orgLimits, projectId: 'proj_2', projectLimits: { max_requests_per_1_minute: 2 }, tokens: 1 });
    expect(Object.keys(b.headers).filter((h) => h.includes('project'))).toEqual(['x-ratelimit-limit-project-requests', 'x-ratelimit-remaining-project-requests', 'x-ratelimit-reset-project-requests']);
    expect(b.headers).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '9939' }); // the organization's, after proj_1's 60
    // The organization's limit binds where it has fewer left than the project's.
    const c = await setup().reserve({ orgLimits: { max_requests_per_1_minute: 3 }, projectId: 'proj_3', projectLimits: { max_requests_per_1_minute: 10 }, tokens: 1 });
    expect(c.headers).toMatchObject({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-limit-project-requests': '10', 'x-ratelimit-remaining-project-requests': '9' });
  });

  it('a rejection leaves the state unchanged', async () => {
    const { store, reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 10, max_tokens_per_1_minute: 1_000 };
    const spend = (amount: bigint) => ({ key: '2026-01', hardLimit: 500n, amount, periodEndMs: Date.UTC(2026, 1, 1) });
    await reserve({ orgLimits, tokens: 990, spend: spend(100n) });
    const before = store.snapshot();
    await rejection(reserve({ orgLimits, tokens: 20, spend: spend(100n) }));
    await rejection(reserve({ orgLimits, tokens: 5, spend: spend(401n) }));
    expect(store.snapshot()).toEqual(before);
  });
});

describe('Admission.settle', () => {
  it('returns 950 of a 1000-token reservation that used 50; requests stay counted', async () => {
    const { reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 100, max_tokens_per_1_minute: 10_000 };
    const a = await reserve({ orgLimits, tokens: 1_000 });
    expect(a.headers['x-ratelimit-remaining-tokens']).toBe('9000');
    await a.settle(50);
    const peek = await reserve({ orgLimits, tokens: 0 });
    expect(peek.headers['x-ratelimit-remaining-tokens']).toBe('9950');
    expect(peek.headers['x-ratelimit-remaining-requests']).toBe('98');
  });

  it('settling twice is settling once', async () => {
    const { store, reserve } = setup();
    const orgLimits = { max_tokens_per_1_minute: 10_000 };
    const spend = { key: '2026-01', hardLimit: null, amount: 5_000n, periodEndMs: Date.UTC(2026, 1, 1) };
    const a = await reserve({ orgLimits, tokens: 1_000, spend });
    expect(a.spend).toEqual({ spent: 0n, reserved: 5_000n });
    await Promise.all([a.settle(50, 1_234n), a.settle(50, 1_234n)]);
    const once = store.snapshot();
    await a.settle(0, 0n);
    expect(store.snapshot()).toEqual(once);
    expect(await store.spendOf('org-abc', '2026-01')).toEqual({ spent: 1_234n, reserved: 0n });
    expect((await reserve({ orgLimits, tokens: 0 })).headers['x-ratelimit-remaining-tokens']).toBe('9950');
  });

  it('cancel gives everything back, the request count included, and then settle does nothing', async () => {
    const { store, reserve } = setup();
    const orgLimits = { max_requests_per_1_minute: 10, max_tokens_per_1_minute: 1_000 };
    const spend = { key: 'p', hardLimit: 10_000n, amount: 900n, periodEndMs: Date.UTC(2026, 1, 1) };
    const a = await reserve({ orgLimits, tokens: 600, spend });
    await a.cancel();
    await a.settle(600, 900n);
    const peek = await reserve({ orgLimits, tokens: 0 });
    expect(peek.headers['x-ratelimit-remaining-requests']).toBe('9'); // only the peek itself
    expect(peek.headers['x-ratelimit-remaining-tokens']).toBe('1000');
    expect(await store.spendOf('org-abc', 'p')).toEqual({ spent: 0n, reserved: 0n });
  });

  it('without an actual spend charges the reserved worst case', async () => {
    const { store, reserve } = setup();
    const a = await reserve({ orgLimits: {}, spend: { key: 'p', hardLimit: null, amount: 700n, periodEndMs: Date.UTC(2026, 1, 1) } });
    await a.settle(10);
    expect(await store.spendOf('org-abc', 'p')).toEqual({ spent: 700n, reserved: 0n });
  });
});
