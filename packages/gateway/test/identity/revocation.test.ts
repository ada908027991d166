/**
 * Revocation is an event: once the admin call returns, new requests with the key fail, while
 * requests already past authentication finish.
 */
import OpenAI, { AuthenticationError } from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gate, startHarness, type Harness } from './harness.js';
import { adminOk, newTenant } from '../support/admin.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const chat = (key: string) => new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] });

async function outcome(p: Promise<unknown>): Promise<'ok' | number | string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AuthenticationError ? 401 : String(e);
  }
}

describe('revocation under load', () => {
  it('100 requests in flight finish; every request after the revoke call returns gets 401', async () => {
    const { apiKey: key, keyId } = await newTenant(h);
    const g = gate();
    h.hold = g.promise;
    const inFlight = Array.from({ length: 100 }, () => outcome(chat(key)));
    await vi.waitFor(() => expect(h.admitted).toBe(100), { timeout: 30_000 });

    await adminOk(h, 'POST', `/keys/${keyId}/revoke`);
    const after = await Promise.all(Array.from({ length: 100 }, () => outcome(chat(key))));
    expect(after.filter((r) => r === 401)).toHaveLength(100);
    expect(h.admitted).toBe(100);

    g.open();
    const held = await Promise.all(inFlight);
    expect(held.filter((r) => r === 'ok')).toHaveLength(100);
    // More than the wait for the 100 to be admitted, so that wait can use its whole allowance.
  }, 90_000);

  it('removing a member and deleting an organization take effect before the admin call returns', async () => {
    const a = await newTenant(h);
    const b = await newTenant(h);
    // Warm caches.
    expect(await outcome(chat(a.apiKey))).toBe('ok');
    expect(await outcome(chat(b.apiKey))).toBe('ok');
    await adminOk(h, 'DELETE', `/organizations/${a.orgId}/members/${a.userId}`);
    await adminOk(h, 'DELETE', `/organizations/${b.orgId}`);
    const results = await Promise.all([...Array.from({ length: 50 }, () => outcome(chat(a.apiKey))), ...Array.from({ length: 50 }, () => outcome(chat(b.apiKey)))]);
    expect(results.every((r) => r === 401)).toBe(true);
  });
});
