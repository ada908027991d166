/**
 * Keys are never stored or logged in plain text: after creating, using, listing and revoking
 * keys through the admin API on a SQLite file, neither the database files nor the logs contain
 * any key (nor its random part), and lists show only the redacted form.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { admin, adminOk, newTenant } from '../support/admin.js';

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-keys-'));
  h = await startHarness({ dbUrl: `sqlite:${join(dir, 'nested', 'tollgate.db')}` });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keys never in plain text', () => {
  it('are absent from the database files and the logs; lists show sk-...abcd', async () => {
    const keys: string[] = [];
    const { orgId, userId, apiKey: key } = await newTenant(h);
    keys.push(key);
    for (let i = 0; i < 4; i++) {
      const k = await adminOk(h, 'POST', '/keys', { organization_id: orgId, user_id: userId, name: `k${i}` });
      expect(k.key).toMatch(/^sk-proj-[A-Za-z0-9_-]{43}$/);
      keys.push(k.key);
    }
    // Use them (successes, a failure with a near miss, last_used_at flushed), list, revoke one.
    for (const k of keys) await new OpenAI({ apiKey: k, baseURL: h.baseURL, maxRetries: 0 }).models.list();
    const nearMiss = keys[0]!.slice(0, -1) + (keys[0]!.endsWith('A') ? 'B' : 'A');
    await new OpenAI({ apiKey: nearMiss, baseURL: h.baseURL, maxRetries: 0 }).models.list().catch(() => {});
    await h.identity.flushLastUsed();
    const list = await admin(h, 'GET', `/keys?organization_id=${orgId}`);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(keys.length);
    for (const item of list.body.data) {
      expect(item.key).toBeUndefined();
      expect(item.redacted_value).toMatch(/^sk-\.\.\.[A-Za-z0-9_-]{4}$/);
      expect(item.last_used_at).not.toBeNull();
    }
    expect(list.body.data.map((x: { redacted_value: string }) => x.redacted_value).sort()).toEqual(keys.map((k) => `sk-...${k.slice(-4)}`).sort());
    await adminOk(h, 'POST', `/keys/${list.body.data[0].id}/revoke`);
    await h.identity.close();
    await h.store.close();

    const files = ['tollgate.db', 'tollgate.db-wal', 'tollgate.db-shm'].map((f) => join(dir, 'nested', f)).filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    const logs = h.logs.join('');
    expect(logs).toContain('api key created');
    const listText = JSON.stringify(list.body);
    for (const k of [...keys, nearMiss]) {
      const secretPart = k.slice('sk-proj-'.length);
      for (const needle of [k, secretPart, secretPart.slice(0, 20), secretPart.slice(-20)]) {
        expect(bytes.includes(Buffer.from(needle))).toBe(false);
        expect(logs.includes(needle)).toBe(false);
        expect(listText.includes(needle)).toBe(false);
      }
    }
  });
});
