/**
 * "What is left right now": GET /v1/organization/rate_limits (the organization's limits) and the
 * `remaining_*` fields of a project's rate limits, after a key has spent part of them — on the
 * memory counters and on Redis. Reading them (a peek of the counter store) changes nothing: the
 * same figures come back however often they are read, and on Redis every counter key is byte for
 * byte what it was, expiry included.
 *
 * The limits are chosen to refill slowly (the fastest, 3 requests per minute, gains one request
 * every 20 s), so the figures are exact while the test runs: Redis keeps its own clock.
 */
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deleteRedisKeys, redisPrefix, TEST_REDIS_URL } from '../support/services.js';
import { startOrgHarness, type OrgHarness } from './harness.js';

type Row = { id: string; model: string } & Record<string, number | null>;

async function dumpKeys(prefix: string): Promise<Record<string, unknown>> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const out: Record<string, unknown> = {};
    for (const k of keys.sort()) out[k] = { type: await redis.type(k), hash: (await redis.type(k)) === 'hash' ? await redis.hgetall(k) : null, expireAt: await redis.call('PEXPIRETIME', k) };
    return out;
  } finally {
    redis.disconnect();
  }
}

for (const backend of ['memory', 'redis'] as const) {
  describe(`remaining rate limits (${backend} counters)`, () => {
    const prefix = backend === 'redis' ? redisPrefix('tg_remaining') : undefined;
    let h: OrgHarness;
    beforeAll(async () => {
      h = await startOrgHarness({}, prefix ? { redisPrefix: prefix } : {});
    });
    afterAll(async () => {
      await h.close();
      if (prefix) await deleteRedisKeys(prefix);
    });

    const get = async (path: string): Promise<Row[]> => {
      const res = await fetch(`${h.gw.baseURL}/organization${path}`, { headers: { authorization: `Bearer ${h.a.adminKey}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: Row[] }).data;
    };
    const small = (rows: Row[]) => rows.find((r) => r.model === 'sim-small')!;
    const remaining = (r: Row) => ({
      rpm: r.remaining_requests_per_1_minute,
      tpm: r.remaining_tokens_per_1_minute,
      rpd: r.remaining_requests_per_1_day,
      tpd: r.remaining_tokens_per_1_day,
    });

    it('after two requests of a project: the organization, that project and another project see exactly what is left', async () => {
      const { org } = h.a;
      // The organization: 3 RPM, 100 RPD, 2,000 TPD, tokens per minute unlimited.
      const put = await h.gw.admin('PUT', `/admin/v1/organizations/${h.a.orgId}/rate_limits/sim-small`, {
        max_requests_per_1_minute: 3,
        max_tokens_per_1_minute: null,
        max_requests_per_1_day: 100,
        max_tokens_per_1_day: 2000,
      });
      expect(put.status).toBe(200);
      const projects = (await org.projects.list()).data;
      const def = projects.find((p) => p.name === 'Default project')!;
      const quiet = await org.projects.create({ name: 'quiet' });
      // The key's project: 2 RPM and 10 RPD of its own; tokens as the organization's.
      await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 2, max_requests_per_1_day: 10 });

      const before = small(await get('/rate_limits'));
      expect(before).toMatchObject({ object: 'organization.rate_limit', id: 'rl-sim-small', max_requests_per_1_minute: 3, max_tokens_per_1_day: 2000 });
      expect(remaining(before)).toEqual({ rpm: 3, tpm: null, rpd: 100, tpd: 2000 });

      let tokens = 0;
      for (let i = 0; i < 2; i++) {
        const r = await h.a.inference.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: `hello ${i}` }], max_tokens: 3 });
        tokens += r.usage!.total_tokens;
      }
      expect(tokens).toBeGreaterThan(0);

      // Tokens are reserved at the worst case and given back when the request settles (in the
      // background): wait until the organization's figure is the tokens actually used.
      await vi.waitFor(async () => expect(small(await get('/rate_limits')).remaining_tokens_per_1_day).toBe(2000 - tokens), { timeout: 10_000, interval: 100 });

      expect(remaining(small(await get('/rate_limits')))).toEqual({ rpm: 1, tpm: null, rpd: 98, tpd: 2000 - tokens });
      const own = small((await org.projects.rateLimits.listRateLimits(def.id)).data as unknown as Row[]);
      // The project's own buckets bind where they are lower (0 of 2 per minute, 8 of 10 per day).
      expect(own).toMatchObject({ max_requests_per_1_minute: 2, max_requests_per_1_day: 10 });
      expect(remaining(own)).toEqual({ rpm: 0, tpm: null, rpd: 8, tpd: 2000 - tokens });
      // Another project has no limits of its own: what is left for it is the organization's.
      const other = small((await org.projects.rateLimits.listRateLimits(quiet.id)).data as unknown as Row[]);
      expect(remaining(other)).toEqual({ rpm: 1, tpm: null, rpd: 98, tpd: 2000 - tokens });

      // Peeking changes nothing.
      const state = prefix ? await dumpKeys(prefix) : undefined;
      for (let i = 0; i < 5; i++) {
        await get('/rate_limits');
        await org.projects.rateLimits.listRateLimits(def.id);
      }
      if (prefix) expect(await dumpKeys(prefix)).toEqual(state);
      expect(remaining(small(await get('/rate_limits')))).toEqual({ rpm: 1, tpm: null, rpd: 98, tpd: 2000 - tokens });

      // And the counters still decide as before: the project has no request left this minute.
      const refused = await h.a.inference.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }], max_tokens: 3 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    });

    it('another organization sees its own full limits, and a model without limits reads null', async () => {
      const rows = await fetch(`${h.gw.baseURL}/organization/rate_limits`, { headers: { authorization: `Bearer ${h.b.adminKey}` } }).then((r) => r.json() as Promise<{ data: Row[] }>);
      for (const r of rows.data) {
        for (const f of ['requests_per_1_minute', 'tokens_per_1_minute', 'requests_per_1_day', 'tokens_per_1_day']) {
          // Untouched: what is left is the limit itself (or null where there is none).
          expect(r[`remaining_${f}`]).toBe(r[`max_${f}`]);
        }
      }
    });
  });
}
