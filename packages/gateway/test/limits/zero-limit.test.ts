/**
 * A limit of 0 has one meaning everywhere — config tier, organization override, key override, on
 * any of RPM/TPM/RPD/TPD: the model is blocked, answered by a 429 that says so and tells the SDK
 * not to retry. And a fault of the counter store that is not an outage is a 500, never the
 * retryable `store_unavailable` "could not reach its database".
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DependencyUnavailableError } from '../../src/store/outage.js';
import { countingFetch, expectErrorEnvelope, rejection, sdk, startAcceptanceGateway } from '../acceptance/helpers.js';
import type { TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startAcceptanceGateway({
    tiers: { blocked: { 'sim-large': { max_tokens_per_1_day: 0 } }, unlimited: {} },
    default_tier: 'unlimited',
  });
});
afterAll(() => gw.close());

const chat = (client: OpenAI, model = 'sim-small') => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 5 });

/** The message as sent (the SDK prefixes the status to `e.message`). */
const wireMessage = (e: InstanceType<typeof OpenAI.APIError>): string => (e.error as { message: string }).message;

/** Sends one request with the SDK's default retries on, and checks it was sent exactly once. */
async function blockedOnce(apiKey: string, model = 'sim-small'): Promise<InstanceType<typeof OpenAI.APIError>> {
  const counted = countingFetch();
  const err = await rejection(chat(sdk(gw, { apiKey, maxRetries: 2, fetch: counted.fetch }), model));
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  expect(counted.sent).toHaveLength(1); // x-should-retry: false — the SDK does not retry
  const e = err as InstanceType<typeof OpenAI.RateLimitError>;
  expect(e.status).toBe(429);
  expect(e.headers!.get('x-should-retry')).toBe('false');
  expect(e.headers!.get('retry-after')).toBeNull();
  expect(e.headers!.get('retry-after-ms')).toBeNull();
  expectErrorEnvelope(e.error ? { error: e.error } : undefined);
  return e;
}

describe('a limit of 0 blocks the model', () => {
  it('organization override of RPM = 0 through the admin API: a non-retryable 429 that says so', async () => {
    const t = await gw.newTenant('zero-rpm');
    const put = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 0 });
    expect(put.status).toBe(200);
    expect(put.body.max_requests_per_1_minute).toBe(0);
    const e = await blockedOnce(t.apiKey);
    expect(e.type).toBe('requests');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(wireMessage(e)).toBe(
      `Rate limit reached for sim-small in organization ${t.orgId} on requests per min (RPM): Limit 0, Requested 1. The limit of this organization for this model is 0, so its requests are blocked and waiting will not help. Visit http://gateway.test/limits to learn more.`,
    );
    // Another model of the same organization is not affected.
    expect((await chat(sdk(gw, { apiKey: t.apiKey }), 'sim-large')).choices).toHaveLength(1);
  });

  it('key override of TPM = 0: blocked with the tokens type, naming the API key', async () => {
    const t = await gw.newTenant('zero-key-tpm');
    const put = await gw.admin('PUT', `/admin/v1/keys/${t.keyId}/rate_limits/sim-small`, { max_tokens_per_1_minute: 0 });
    expect(put.status).toBe(200);
    const e = await blockedOnce(t.apiKey);
    expect(e.type).toBe('tokens');
    expect(wireMessage(e)).toMatch(/^Rate limit reached for sim-small in organization \S+ on tokens per min \(TPM\): Limit 0, Requested \d+\. The limit of this API key for this model is 0/);
  });

  it('RPD = 0 and a config tier with TPD = 0 mean the same', async () => {
    const t = await gw.newTenant('zero-rpd');
    await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 0 });
    expect(wireMessage(await blockedOnce(t.apiKey))).toContain('on requests per day (RPD): Limit 0');

    const b = await gw.newTenant('zero-tier', { tier: 'blocked' });
    const e = await blockedOnce(b.apiKey, 'sim-large');
    expect(e.type).toBe('tokens');
    expect(wireMessage(e)).toContain('on tokens per day (TPD): Limit 0');
    // The tier blocks only sim-large.
    expect((await chat(sdk(gw, { apiKey: b.apiKey }))).choices).toHaveLength(1);
  });

  it('values the enforcement cannot take are refused where they are set, naming the field', async () => {
    const t = await gw.newTenant('bad-limits');
    for (const [field, value] of [
      ['max_requests_per_1_minute', -1],
      ['max_tokens_per_1_minute', 1.5],
      ['max_tokens_per_1_day', 100_000_000_007],
    ] as const) {
      const r = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { [field]: value });
      expect(r.status, `${field}=${value}`).toBe(400);
      expect(r.body.error.param).toBe(field);
      const k = await gw.admin('PUT', `/admin/v1/keys/${t.keyId}/rate_limits/sim-small`, { [field]: value });
      expect(k.status, `key ${field}=${value}`).toBe(400);
      expect(k.body.error.param).toBe(field);
    }
    // Nothing was stored: requests still pass.
    expect((await chat(sdk(gw, { apiKey: t.apiKey }))).choices).toHaveLength(1);
  });
});

describe('exceptions of the counter store', () => {
  /** A rate-limited tenant's request answered while the counter store's reserve fails once with `fault`. */
  async function whenReserveFails(name: string, fault: Error): Promise<unknown> {
    const t = await gw.newTenant(name);
    await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 100 });
    const spy = vi.spyOn(gw.gateway.services.counters, 'reserve').mockRejectedValueOnce(fault);
    try {
      return await rejection(chat(sdk(gw, { apiKey: t.apiKey })));
    } finally {
      spy.mockRestore();
    }
  }

  it('a fault that is not an outage is a 500 server_error, not store_unavailable', async () => {
    const err = await whenReserveFails('store-bug', new RangeError('counter store: limit must be a positive integer, got 0'));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).not.toBe('store_unavailable');
    expect((err as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
  });

  it('an outage (Redis not answering) is a retryable 503 store_unavailable without a made-up retry hint', async () => {
    const err = await whenReserveFails('store-down', new DependencyUnavailableError('counter store: redis did not answer within 1000 ms'));
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(503);
    expect(e.code).toBe('store_unavailable');
    expect(e.headers!.get('x-should-retry')).toBeNull();
    expect(e.headers!.get('retry-after')).toBeNull();
    expect(e.headers!.get('retry-after-ms')).toBeNull();
  });
});
