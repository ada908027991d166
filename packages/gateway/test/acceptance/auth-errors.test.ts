/**
 * Issue 3's acceptance at the gateway level: every member of the authentication family reaches
 * the official SDK as its own error class with OpenAI's code and words, exactly one request goes
 * over the wire although the SDK may retry twice, and revoking a key under load refuses every
 * later request at once while the streams already running finish.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { HoldableClock } from '../support/clocks.js';
import type { TestGateway } from '../support/gateway.js';
import { acceptanceModels, countingFetch, longAnswerSeed, rejection, sdk, startAcceptanceGateway, type SentRequest } from './helpers.js';

let gw: TestGateway;
/** Real time; the revocation test pauses its sleeps, which pace the simulated streams. */
const clock = new HoldableClock();

beforeAll(async () => {
  gw = await startAcceptanceGateway({ auth: { failed_attempts_per_minute: 1000 }, models: acceptanceModels({ tokens_per_second: 50 }) }, { clock });
});
afterAll(async () => {
  clock.resumeSleeps(); // a failed revocation test must not leave the streams it started stuck
  await gw.close();
});

const DOCS = 'http://gateway.test/docs/errors';
/** The console's API keys page is where a person gets a key: the messages link it, as OpenAI's link its own. */
const CONSOLE = 'http://gateway.test';
const CHAT = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Hello' }], max_tokens: 5 };

/** One call through an SDK that may retry twice, with a count of what it sent. */
async function failOnce(opts: Parameters<typeof sdk>[1]): Promise<{ err: InstanceType<typeof OpenAI.APIError>; sent: SentRequest[] }> {
  const { fetch, sent } = countingFetch();
  const err = await rejection(sdk(gw, { ...opts, maxRetries: 2, fetch }).chat.completions.create(CHAT));
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return { err: err as InstanceType<typeof OpenAI.APIError>, sent };
}

/** api.openai.com's mask, written out: first 8 characters, a star for each hidden one, last 4. */
const masked = (key: string) => key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);

describe('authentication errors through the official SDK', () => {
  it('no key: AuthenticationError with the long message', async () => {
    const { err, sent } = await failOnce({ defaultHeaders: { authorization: null } });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.type).toBe('invalid_request_error');
    expect(err.code).toBeNull();
    expect(err.message).toBe(
      `401 You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from ${CONSOLE}/api-keys.`,
    );
  });

  it('a wrong key: invalid_api_key with the key masked to its first 8 and last 4 characters', async () => {
    const wrong = `sk-tg-${'Ab3_'.repeat(10)}xyz`;
    expect(wrong).toHaveLength(49);
    const { err, sent } = await failOnce({ apiKey: wrong });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expect(masked(wrong)).toMatch(/^sk-tg-Ab\*{37}_xyz$/);
    expect(err.message).toBe(`401 Incorrect API key provided: ${masked(wrong)}. You can find your API key at ${CONSOLE}/api-keys.`);
    expect(err.message).not.toContain(wrong.slice(8, -4));
  });

  it('a revoked key: invalid_api_key', async () => {
    const t = await gw.newTenant('auth-revoked');
    await sdk(gw, { apiKey: t.apiKey }).chat.completions.create(CHAT); // cached as good first
    expect((await gw.admin('POST', `/admin/v1/keys/${t.keyId}/revoke`)).status).toBe(200);
    const { err, sent } = await failOnce({ apiKey: t.apiKey });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expect(err.message).toBe(`401 Incorrect API key provided: ${masked(t.apiKey)}. You can find your API key at ${CONSOLE}/api-keys.`);
  });

  it('a key whose user left the organization: no_organization', async () => {
    const t = await gw.newTenant('auth-left');
    await sdk(gw, { apiKey: t.apiKey }).chat.completions.create(CHAT);
    expect((await gw.admin('DELETE', `/admin/v1/organizations/${t.orgId}/members/${t.userId}`)).status).toBe(200);
    const { err, sent } = await failOnce({ apiKey: t.apiKey });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('no_organization');
    expect(err.message).toBe(`401 You must be a member of an organization to use the API. Please contact us through our help center at ${DOCS}#no_organization.`);
  });

  it('an OpenAI-Organization header naming no organization: invalid_organization', async () => {
    const { err, sent } = await failOnce({ organization: 'org-doesnotexist' });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('invalid_organization');
    expect(err.message).toBe('401 No such organization: org-doesnotexist.');
  });

  it("an OpenAI-Organization header naming another organization: mismatched_organization", async () => {
    const other = await gw.newTenant('auth-other');
    const { err, sent } = await failOnce({ organization: other.orgId });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('mismatched_organization');
    expect(err.message).toBe('401 OpenAI-Organization header should match organization for API key');
    // The key's own organization in the header is fine.
    const ok = await sdk(gw, { organization: gw.orgId }).chat.completions.create(CHAT);
    expect(ok.object).toBe('chat.completion');
  });

  it('a restricted key without model.request: 401 insufficient permissions', async () => {
    const created = await gw.admin('POST', '/admin/v1/keys', { organization_id: gw.orgId, user_id: gw.userId, name: 'read only', permissions: 'restricted', scopes: ['api.model.read'] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const key = created.body.key as string;
    const { err, sent } = await failOnce({ apiKey: key });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBeNull();
    expect(err.message).toBe(
      "401 You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.",
    );
    // What the key may do, it does.
    const models = await sdk(gw, { apiKey: key }).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('a model outside the organization allow-list: PermissionDeniedError model_not_found', async () => {
    const t = await gw.newTenant('auth-allow-list');
    const set = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/models`, { allowed: ['sim-large'] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const { err, sent } = await failOnce({ apiKey: t.apiKey });
    expect(sent).toHaveLength(1);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.status).toBe(403);
    expect(err.code).toBe('model_not_found');
    expect(err.message).toBe(`403 Organization \`${t.orgId}\` does not have access to model \`sim-small\``);
    const allowed = await sdk(gw, { apiKey: t.apiKey }).chat.completions.create({ ...CHAT, model: 'sim-large' });
    expect(allowed.object).toBe('chat.completion');
  });
});

describe('revocation under load', () => {
  it('refuses the key as soon as the revoke call returns, while 100 running streams finish', async () => {
    const content = 'Tell me a long story';
    const { seed, tokens } = await longAnswerSeed(sdk(gw), content, 120);
    const t = await gw.newTenant('auth-revoke-load');
    const client = sdk(gw, { apiKey: t.apiKey });

    // 100 streams on the slow model, each past authentication (its headers have arrived) and
    // with its first chunk read. The simulator paces a stream's tokens with the gateway's clock,
    // whose sleeps stay paused until the revocation has been checked: however long opening 100
    // streams takes on a loaded machine, none of them can finish before the revoke call.
    clock.pauseSleeps();
    const streams = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const s = await client.chat.completions.create({ model: 'sim-slow', messages: [{ role: 'user', content }], seed, max_tokens: 2000, stream: true, stream_options: { include_usage: true } });
        const it = s[Symbol.asyncIterator]();
        const first = await it.next();
        expect(first.done).toBe(false);
        return it;
      }),
    );

    expect((await gw.admin('POST', `/admin/v1/keys/${t.keyId}/revoke`)).status).toBe(200);
    // None had finished: a request is written to the ledger when it settles, before its last byte.
    await gw.gateway.services.ledger.flush();
    expect(await billingDb(gw.gateway.services.store).selectFrom('usage_events').select('request_id').where('org_id', '=', t.orgId).execute()).toEqual([]);
    const after = await Promise.all(Array.from({ length: 20 }, () => rejection(client.chat.completions.create(CHAT))));
    for (const e of after) {
      expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((e as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    }

    clock.resumeSleeps();
    const finished = await Promise.all(
      streams.map(async (it) => {
        let usage: OpenAI.CompletionUsage | null | undefined;
        let finish: string | null | undefined;
        for (let n = await it.next(); !n.done; n = await it.next()) {
          usage ??= n.value.usage;
          finish ??= n.value.choices[0]?.finish_reason;
        }
        return { usage, finish };
      }),
    );
    for (const f of finished) {
      expect(f.finish).toBe('stop');
      expect(f.usage?.completion_tokens).toBe(tokens);
    }
  });
});
