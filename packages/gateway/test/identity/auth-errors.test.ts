/**
 * Every row of the authentication/authorization error table, seen through the official openai
 * SDK against a real server: the SDK's error class, `code`, the exact message, and that the SDK
 * does not retry (one request reaches the server with maxRetries 2).
 */
import OpenAI, { AuthenticationError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { admin, adminOk, newTenant } from '../support/admin.js';

const DOCS = 'http://tollgate.test/docs/errors';
/** The console's API keys page is where a person gets a key: the messages link it, as OpenAI's link its own. */
const CONSOLE = 'http://tollgate.test';
const CHAT = 'POST /v1/chat/completions';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.hits.clear());

function client(apiKey: string, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ apiKey, baseURL: h.baseURL, maxRetries: 2, ...extra });
}

const chat = (c: OpenAI, model = 'sim-small') => c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

/** Runs `call`, expects it to fail, and returns the error. */
async function failure(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

function expectOneAttempt(route = CHAT): void {
  expect(h.hits.get(route)).toBe(1);
}

describe('authentication errors through the openai SDK', () => {
  it('no Authorization header: 401 missing_api_key, not retried', async () => {
    const err = await failure(() => chat(client('unused', { defaultHeaders: { authorization: null } })));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.code).toBeNull();
    expect(err.type).toBe('invalid_request_error');
    expect(err.error.message).toBe(
      `You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from ${CONSOLE}/api-keys.`,
    );
    expect(err.headers.get('x-should-retry')).toBe('false');
    expectOneAttempt();
  });

  it('a scheme other than Bearer counts as no key', async () => {
    const { apiKey: key } = await newTenant(h);
    h.hits.clear();
    const err = await failure(() => chat(client('unused', { defaultHeaders: { authorization: `Token ${key}` } })));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.error.message).toMatch(/^You didn't provide an API key\./);
    expectOneAttempt();
  });

  it('an unknown key: 401 invalid_api_key with the key masked (first 8, stars, last 4)', async () => {
    const unknown = 'sk-tg-' + 'A'.repeat(39) + 'wxyz';
    const err = await failure(() => chat(client(unknown)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expect(err.error.message).toBe(`Incorrect API key provided: sk-tg-AA${'*'.repeat(37)}wxyz. You can find your API key at ${CONSOLE}/api-keys.`);
    expect(err.error.message).not.toContain(unknown);
    expectOneAttempt();
  });

  it('a malformed key: invalid_api_key; short strings are echoed as OpenAI does', async () => {
    const err = await failure(() => chat(client('hello')));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expect(err.error.message).toBe(`Incorrect API key provided: hello. You can find your API key at ${CONSOLE}/api-keys.`);
    expectOneAttempt();
  });

  it('a revoked key: invalid_api_key', async () => {
    const { apiKey: key, keyId } = await newTenant(h);
    await expect(chat(client(key))).resolves.toBeDefined();
    await adminOk(h, 'POST', `/keys/${keyId}/revoke`);
    h.hits.clear();
    const err = await failure(() => chat(client(key)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expect(err.error.message).toBe(`Incorrect API key provided: ${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}. You can find your API key at ${CONSOLE}/api-keys.`);
    expectOneAttempt();
  });

  it('an expired key: invalid_api_key, also when the success was cached', async () => {
    const expiresAt = Math.floor(h.clock.now() / 1000) + 60;
    const { apiKey: key } = await newTenant(h, { expires_at: expiresAt });
    await expect(chat(client(key))).resolves.toBeDefined();
    await h.clock.advance(61_000);
    h.hits.clear();
    const err = await failure(() => chat(client(key)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
    expectOneAttempt();
  });

  it("the key's user was removed from the organization: no_organization", async () => {
    const { apiKey: key, orgId, userId } = await newTenant(h);
    await expect(chat(client(key))).resolves.toBeDefined();
    await adminOk(h, 'DELETE', `/organizations/${orgId}/members/${userId}`);
    h.hits.clear();
    const err = await failure(() => chat(client(key)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('no_organization');
    expect(err.error.message).toBe(`You must be a member of an organization to use the API. Please contact us through our help center at ${DOCS}#no_organization.`);
    expectOneAttempt();
    // Added back, the key works again at once.
    await adminOk(h, 'POST', `/organizations/${orgId}/members`, { user_id: userId, role: 'reader' });
    await expect(chat(client(key))).resolves.toBeDefined();
  });

  it("the key's organization was deleted: no_organization", async () => {
    const { apiKey: key, orgId } = await newTenant(h);
    await expect(chat(client(key))).resolves.toBeDefined();
    await adminOk(h, 'DELETE', `/organizations/${orgId}`);
    h.hits.clear();
    const err = await failure(() => chat(client(key)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('no_organization');
    expectOneAttempt();
  });

  it('OpenAI-Organization naming no organization: invalid_organization', async () => {
    const { apiKey: key } = await newTenant(h);
    h.hits.clear();
    const err = await failure(() => chat(client(key, { organization: 'org-doesnotexist' })));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('invalid_organization');
    expect(err.error.message).toBe('No such organization: org-doesnotexist.');
    expectOneAttempt();
  });

  it("OpenAI-Organization naming another organization than the key's: mismatched_organization", async () => {
    const { apiKey: key } = await newTenant(h);
    const other = await adminOk(h, 'POST', '/organizations', { name: 'Other' });
    h.hits.clear();
    const err = await failure(() => chat(client(key, { organization: other.id })));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('mismatched_organization');
    expect(err.error.message).toBe('OpenAI-Organization header should match organization for API key');
    expectOneAttempt();
  });

  it("OpenAI-Organization naming the key's own organization is accepted and echoed", async () => {
    const { apiKey: key, orgId } = await newTenant(h);
    const res = await chat(client(key, { organization: orgId })).withResponse();
    expect(res.response.headers.get('openai-organization')).toBe(orgId);
  });
});

describe('authorization errors through the openai SDK', () => {
  const missingScopes = (scope: string) =>
    `You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.`;

  it('a read_only key may list models but not request completions: 401 insufficient_permissions', async () => {
    const { apiKey: key } = await newTenant(h, { permissions: 'read_only' });
    const models = await client(key).models.list();
    expect(models.data.map((m) => m.id)).toContain('sim-small');
    h.hits.clear();
    const err = await failure(() => chat(client(key)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.code).toBeNull();
    expect(err.error.message).toBe(missingScopes('model.request'));
    expectOneAttempt();
  });

  it('a restricted key holds exactly its scopes', async () => {
    const { apiKey: key } = await newTenant(h, { permissions: 'restricted', scopes: ['model.request'] });
    await expect(chat(client(key))).resolves.toBeDefined();
    await expect(client(key).embeddings.create({ model: 'sim-embed', input: 'x' })).resolves.toBeDefined();
    h.hits.clear();
    const err = await failure(() => client(key).models.list());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.error.message).toBe(missingScopes('api.model.read'));
    expectOneAttempt('GET /v1/models');
  });

  it("a reader of the organization uses the API: the key's permissions decide, not the role", async () => {
    const { apiKey: key } = await newTenant(h, { role: 'reader' });
    await expect(client(key).models.list()).resolves.toBeDefined();
    await expect(chat(client(key))).resolves.toBeDefined();
    await expect(client(key).embeddings.create({ model: 'sim-embed', input: 'x' })).resolves.toBeDefined();
    const { apiKey: readOnly } = await newTenant(h, { role: 'reader', permissions: 'read_only' });
    h.hits.clear();
    const err = await failure(() => chat(client(readOnly)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.error.message).toBe(missingScopes('model.request'));
    expectOneAttempt();
  });

  it('a model outside the allow-list: 403 model_access_denied (code model_not_found)', async () => {
    const { apiKey: key, orgId } = await newTenant(h);
    await expect(chat(client(key), 'sim-large')).resolves.toBeDefined();
    await adminOk(h, 'PUT', `/organizations/${orgId}/models`, { allowed: ['sim-small'] });
    await expect(chat(client(key), 'sim-small')).resolves.toBeDefined();
    h.hits.clear();
    const err = await failure(() => chat(client(key), 'sim-large'));
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.status).toBe(403);
    expect(err.code).toBe('model_not_found');
    expect(err.error.message).toBe(`Organization \`${orgId}\` does not have access to model \`sim-large\``);
    expectOneAttempt();
    // The models list follows the allow-list; lifting it restores access at once.
    expect((await client(key).models.list()).data.map((m) => m.id)).toEqual(['sim-small']);
    await adminOk(h, 'PUT', `/organizations/${orgId}/models`, { allowed: null });
    await expect(chat(client(key), 'sim-large')).resolves.toBeDefined();
  });

  it('an owner key with all permissions reaches every route', async () => {
    const { apiKey: key } = await newTenant(h);
    await expect(chat(client(key))).resolves.toBeDefined();
    await expect(client(key).models.list()).resolves.toBeDefined();
    await expect(client(key).embeddings.create({ model: 'sim-embed', input: 'x' })).resolves.toBeDefined();
  });

  it('an API key never opens the admin API', async () => {
    const { apiKey: key } = await newTenant(h);
    const r = await admin(h, 'GET', '/organizations', undefined, key);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_admin_key');
  });
});
