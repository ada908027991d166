/**
 * Which refusals count as failed authentications (src/identity/failed-auth-limiter.ts): only a
 * credential that matches none — a guess. After 30 unknown keys from one address, a guess gets 429
 * too_many_failed_authentications; everything that cannot be a guess is still answered as itself:
 * no key at all (OpenAI's missing-key 401), a malformed key, a key of another kind's shape, a key
 * that was issued and revoked, a right key with a wrong organization header or from outside its IP
 * allowlist, a console session without a key, no admin key or an `sk-` key on the admin API. Such
 * requests do not use up the address's allowance either.
 *
 * The client is the official `openai` SDK with its default retries (it retries every 429 twice),
 * and the test counts the requests the server received, so a retried 429 shows as three: before
 * this, a request without a key from a locked-out address got 429 and the server saw it 3 times.
 */
import OpenAI, { AuthenticationError, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { call, type Answer } from '../support/admin.js';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../support/gateway.js';
import { rejection } from '../support/rejection.js';
import { Browser } from '../console/browser.js';

const LIMIT = 30;
const guess = (i: number) => `sk-proj-${String(i).padStart(43, 'x')}`;
const adminGuess = (i: number) => `sk-admin-${String(i).padStart(43, 'y')}`;
const MISSING_KEY = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password.";

/** A gateway on a clock that does not move (the allowance never refills), counting the requests it receives per `METHOD path`. */
async function countingGateway(): Promise<{ gw: TestGateway; received: (route: string) => number }> {
  const gw = await startTestGateway({ auth: { failed_attempts_per_minute: LIMIT } }, { clock: new FakeClock() });
  const seen = new Map<string, number>();
  gw.gateway.server.on('request', (req: { method?: string; url?: string }) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    seen.set(route, (seen.get(route) ?? 0) + 1);
  });
  return { gw, received: (route) => seen.get(route) ?? 0 };
}

/** The official SDK as an application uses it: default retries (2). `apiKey: null` sends no Authorization header. */
function sdk(gw: TestGateway, apiKey: string | null, opts: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return new OpenAI({ baseURL: gw.baseURL, ...(apiKey === null ? { apiKey: 'unused', defaultHeaders: { authorization: null } } : { apiKey }), ...opts });
}

const chat = (c: OpenAI) => c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
const CHAT = 'POST /v1/chat/completions';

describe('after 30 unknown keys from one address', () => {
  let gw: TestGateway;
  let received: (route: string) => number;

  /** What the SDK threw for `run`, and how many requests the server received for `route` meanwhile. */
  async function attempt(route: string, run: () => Promise<unknown>): Promise<{ error: any; requests: number }> {
    const before = received(route);
    const error = await rejection<any>(run());
    return { error, requests: received(route) - before };
  }
  /** The answer to one plain HTTP call (no retries), and how many requests the server received for `route` meanwhile. */
  async function exchange(route: string, run: () => Promise<Answer>): Promise<{ status: number; code: string | null; requests: number }> {
    const before = received(route);
    const r = await run();
    return { status: r.status, code: r.body?.error?.code ?? null, requests: received(route) - before };
  }

  beforeAll(async () => {
    ({ gw, received } = await countingGateway());
    for (let i = 0; i < LIMIT; i++) expect((await attempt(CHAT, () => chat(sdk(gw, guess(i), { maxRetries: 0 })))).error).toBeInstanceOf(AuthenticationError);
    const locked = await attempt(CHAT, () => chat(sdk(gw, guess(LIMIT), { maxRetries: 0 })));
    expect(locked.error).toBeInstanceOf(RateLimitError);
    expect(locked.error.code).toBe('too_many_failed_authentications');
  });
  afterAll(() => gw?.close());

  it("a request without a key gets OpenAI's missing-key 401, once: the SDK does not retry it", async () => {
    const { error, requests } = await attempt(CHAT, () => chat(sdk(gw, null)));
    // Before: { status: 429, requests: 3 } — the 429 retried twice by the SDK.
    expect({ status: error.status, requests }).toEqual({ status: 401, requests: 1 });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: null, param: null });
    expect(error.error.message.startsWith(MISSING_KEY)).toBe(true);
    // The same for an empty bearer token and for Basic without a password (what a browser prompt sends).
    for (const authorization of ['Bearer ', 'Basic ' + Buffer.from('user:').toString('base64')]) {
      const r = await attempt(CHAT, () => chat(sdk(gw, 'unused', { defaultHeaders: { authorization } })));
      expect([r.error.status, r.error.error.code, r.requests]).toEqual([401, null, 1]);
    }
  });

  it('a guess at the SDK\'s default retries gets the 429 once: x-should-retry false, retry-after when the address may try again', async () => {
    // Before: the 429 was retryable, so the SDK sent it 3 times (each a guess from the address).
    const { error, requests } = await attempt(CHAT, () => chat(sdk(gw, guess(2000))));
    expect({ status: error.status, code: error.code, requests }).toEqual({ status: 429, code: 'too_many_failed_authentications', requests: 1 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.headers.get('x-should-retry')).toBe('false');
    // 30 a minute refill one every 2 s; the clock does not move, so the wait is all of it.
    expect([error.headers.get('retry-after'), error.headers.get('retry-after-ms')]).toEqual(['2', '2000']);
    expect(error.error.message).toMatch(/ Please try again in 2s\. /);
  });

  it('a guess still gets the 429', async () => {
    const { error, requests } = await attempt(CHAT, () => chat(sdk(gw, guess(1000), { maxRetries: 0 })));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(requests).toBe(1);
    // An organization admin key that matches none is a guess too, on /v1 and on the Administration API.
    expect((await attempt(CHAT, () => chat(sdk(gw, adminGuess(1), { maxRetries: 0 })))).error).toBeInstanceOf(RateLimitError);
    const admin = new OpenAI({ baseURL: gw.baseURL, apiKey: null as unknown as string, adminAPIKey: adminGuess(2), maxRetries: 0 });
    expect((await attempt('GET /v1/organization/users', () => admin.admin.organization.users.list())).error).toBeInstanceOf(RateLimitError);
  });

  it('a key that was issued and revoked gets its 401 invalid_api_key, once', async () => {
    const t = await gw.newTenant('revoked');
    expect((await call(gw, 'POST', `/admin/v1/keys/${t.keyId}/revoke`)).status).toBe(200);
    const { error, requests } = await attempt(CHAT, () => chat(sdk(gw, t.apiKey)));
    expect({ status: error.status, code: error.code, requests }).toEqual({ status: 401, code: 'invalid_api_key', requests: 1 });
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it('keys refused by their shape get their 401, once: malformed, an OpenAI key of another length, the operator key on /v1', async () => {
    for (const [key, code] of [
      ['sk-not-a-tollgate-key', 'invalid_api_key'],
      [`sk-proj-${'a'.repeat(100)}`, 'invalid_api_key'],
      ['sk-admin-short', 'invalid_api_key'],
      [`tga-${'z'.repeat(43)}`, 'invalid_api_key'],
    ]) {
      const { error, requests } = await attempt(CHAT, () => chat(sdk(gw, key!)));
      expect([key, error.status, error.code, requests]).toEqual([key, 401, code, 1]);
    }
  });

  it('a right key with a wrong organization header, or from outside its IP allowlist, gets its own 401, once', async () => {
    const other = await gw.newTenant('other');
    const mismatched = await attempt(CHAT, () => chat(sdk(gw, gw.apiKey, { organization: other.orgId })));
    expect([mismatched.error.status, mismatched.error.code, mismatched.requests]).toEqual([401, 'mismatched_organization', 1]);
    const unknown = await attempt(CHAT, () => chat(sdk(gw, gw.apiKey, { organization: 'org-doesnotexist' })));
    expect([unknown.error.status, unknown.error.code, unknown.requests]).toEqual([401, 'invalid_organization', 1]);

    const fenced = await gw.newTenant('fenced', { adminKey: true });
    expect((await call(gw, 'POST', '/v1/organization/ip_allowlist', { allowed_ips: ['203.0.113.0/24'] }, fenced.adminKey!)).status).toBe(200);
    const outside = await attempt(CHAT, () => chat(sdk(gw, fenced.apiKey)));
    expect(outside.error).toBeInstanceOf(AuthenticationError);
    expect(outside.error.error.message).toMatch(/^IP not authorized/);
    expect(outside.requests).toBe(1);
  });

  it('the Administration API without a key, with a malformed admin key: 401 each, once', async () => {
    expect(await exchange('GET /v1/organization/users', () => call(gw, 'GET', '/v1/organization/users', undefined, null))).toEqual({ status: 401, code: null, requests: 1 });
    const malformed = new OpenAI({ baseURL: gw.baseURL, apiKey: null as unknown as string, adminAPIKey: 'sk-admin-short' });
    const r = await attempt('GET /v1/organization/users', () => malformed.admin.organization.users.list());
    expect([r.error.status, r.error.code, r.requests]).toEqual([401, 'invalid_api_key', 1]);
  });

  it("the operator's admin API: no key and an sk- key get their 401; a wrong admin key is a guess; the right one is admitted", async () => {
    const organizations = (key: string | null) => exchange('GET /admin/v1/organizations', () => call(gw, 'GET', '/admin/v1/organizations', undefined, key));
    expect(await organizations(null)).toEqual({ status: 401, code: null, requests: 1 });
    expect(await organizations(gw.apiKey)).toEqual({ status: 401, code: 'invalid_admin_key', requests: 1 });
    expect(await organizations('not-the-admin-key')).toEqual({ status: 429, code: 'too_many_failed_authentications', requests: 1 });
    expect(await organizations(ADMIN_KEY)).toEqual({ status: 200, code: null, requests: 1 });
  });

  it("a console session without a key: OpenAI's missing-key 401 on /v1, its own answers on the admin API", async () => {
    const password = 'correct horse battery staple';
    const owner = await gw.newTenant('console');
    expect((await gw.admin('POST', `/admin/v1/users/${owner.userId}/password`, { password })).status).toBe(200);
    const email = (await gw.admin('GET', `/admin/v1/users/${owner.userId}`)).body.email;
    const b = new Browser(gw.url);
    expect((await b.signIn(email, password)).status).toBe(200);
    const models = await b.call('GET', '/v1/models');
    expect([models.status, models.body.error.code, models.body.error.message.startsWith(MISSING_KEY)]).toEqual([401, null, true]);
    // Not an operator: 403 operator_required. Signed out: the admin key decides, and there is none.
    expect((await b.call('GET', '/admin/v1/organizations')).body.error.code).toBe('operator_required');
    expect((await b.call('DELETE', '/console/api/session')).status).toBe(204);
    const out = await b.call('GET', '/admin/v1/organizations');
    expect([out.status, out.body.error.code]).toEqual([401, null]);
  });
});

describe('what cannot be a guess does not use up the allowance', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    ({ gw } = await countingGateway());
  });
  afterAll(() => gw?.close());

  it('60 requests without a key, with a revoked key, a malformed key or a wrong organization header; then still 30 guesses before the 429', async () => {
    const t = await gw.newTenant('revoked');
    expect((await call(gw, 'POST', `/admin/v1/keys/${t.keyId}/revoke`)).status).toBe(200);
    const other = await gw.newTenant('other');
    const clients = [sdk(gw, null), sdk(gw, t.apiKey), sdk(gw, 'sk-not-a-tollgate-key'), sdk(gw, gw.apiKey, { organization: other.orgId })];
    const refusals = await Promise.all(Array.from({ length: 60 }, (_, i) => rejection<any>(chat(clients[i % clients.length]!))));
    expect(refusals.every((e) => e instanceof AuthenticationError)).toBe(true);
    expect((await call(gw, 'GET', '/admin/v1/organizations', undefined, null)).status).toBe(401);
    for (let i = 0; i < LIMIT; i++) expect(await rejection(chat(sdk(gw, guess(i), { maxRetries: 0 })))).toBeInstanceOf(AuthenticationError);
    expect(await rejection(chat(sdk(gw, guess(LIMIT), { maxRetries: 0 })))).toBeInstanceOf(RateLimitError);
  });
});
