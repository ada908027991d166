import { describe, expect, it, vi } from 'vitest';
import { FakeClock, parseConfig, type LimitOverride } from 'tollgate';
import { keyLimits, LimitsResolver, orgLimits, tierLimits } from '../../src/limits/index.js';

const config = parseConfig({
  default_tier: 'free',
  tiers: {
    free: { '*': { max_requests_per_1_minute: 3, max_tokens_per_1_minute: 1000 }, 'sim-large': { max_requests_per_1_minute: 1 } },
    pro: { '*': { max_requests_per_1_minute: 100, max_tokens_per_1_minute: 100_000, max_requests_per_1_day: 10_000 } },
  },
});

describe('limit layers', () => {
  it("tier: the model's entry, else '*'; omitted fields are unlimited; unknown tiers fall back to default_tier", () => {
    expect(tierLimits(config, 'free', 'sim-small')).toEqual({ max_requests_per_1_minute: 3, max_tokens_per_1_minute: 1000, max_requests_per_1_day: null, max_tokens_per_1_day: null });
    expect(tierLimits(config, 'free', 'sim-large').max_requests_per_1_minute).toBe(1);
    expect(tierLimits(config, 'free', 'sim-large').max_tokens_per_1_minute).toBeNull();
    expect(tierLimits(config, 'gone', 'sim-small')).toEqual(tierLimits(config, 'free', 'sim-small'));
  });

  it("overrides apply field by field: tier, then the org's '*' row, then its model row; null = unlimited", () => {
    const rows = new Map<string, LimitOverride>([
      ['*', { max_requests_per_1_minute: 50, max_tokens_per_1_day: 9 }],
      ['sim-small', { max_requests_per_1_minute: 5, max_tokens_per_1_minute: null }],
    ]);
    expect(orgLimits(config, 'pro', 'sim-small', rows)).toEqual({ max_requests_per_1_minute: 5, max_tokens_per_1_minute: null, max_requests_per_1_day: 10_000, max_tokens_per_1_day: 9 });
    expect(orgLimits(config, 'pro', 'sim-large', rows)).toEqual({ max_requests_per_1_minute: 50, max_tokens_per_1_minute: 100_000, max_requests_per_1_day: 10_000, max_tokens_per_1_day: 9 });
  });

  it('key limits exist only where a key row sets them', () => {
    expect(keyLimits('sim-small', new Map())).toBeUndefined();
    expect(keyLimits('sim-small', new Map([['sim-large', { max_requests_per_1_minute: 1 }]]))).toBeUndefined();
    expect(keyLimits('sim-small', new Map([['*', { max_requests_per_1_minute: 2 }]]))).toEqual({ max_requests_per_1_minute: 2, max_tokens_per_1_minute: null, max_requests_per_1_day: null, max_tokens_per_1_day: null });
  });
});

describe('LimitsResolver', () => {
  function resolver(org: Map<string, LimitOverride>, key: Map<string, LimitOverride> = new Map()) {
    const repo = { orgOverrides: vi.fn(async () => org), keyLimits: vi.fn(async () => key) };
    const clock = new FakeClock();
    return { r: new LimitsResolver({ rateLimits: repo as never }, config, clock, 60_000), repo, clock };
  }

  it('reads rows once, then answers synchronously; invalidation re-reads', async () => {
    const { r, repo } = resolver(new Map([['*', { max_requests_per_1_minute: 9 }]]), new Map([['*', { max_tokens_per_1_minute: 5 }]]));
    const first = await r.resolveLimits('org-1', 'free', 'sim-small', 'key_1');
    expect(first.org.max_requests_per_1_minute).toBe(9);
    expect(first.key?.max_tokens_per_1_minute).toBe(5);
    for (let i = 0; i < 100; i++) expect(r.resolveLimits('org-1', 'free', 'sim-small', 'key_1')).not.toBeInstanceOf(Promise);
    expect(repo.orgOverrides).toHaveBeenCalledTimes(1);
    expect(repo.keyLimits).toHaveBeenCalledTimes(1);
    r.invalidateOrg('org-1');
    await r.resolveLimits('org-1', 'free', 'sim-small', 'key_1');
    expect(repo.orgOverrides).toHaveBeenCalledTimes(2);
    expect(repo.keyLimits).toHaveBeenCalledTimes(1);
  });

  it('200 concurrent lookups of an uncached organization and key make one store read each, and all get the same answer', async () => {
    const { r, repo } = resolver(new Map([['sim-small', { max_requests_per_1_day: 4 }]]), new Map([['*', { max_tokens_per_1_minute: 7 }]]));
    const all = await Promise.all(Array.from({ length: 200 }, async () => r.resolveLimits('org-1', 'pro', 'sim-small', 'key_1')));
    expect(repo.orgOverrides).toHaveBeenCalledTimes(1);
    expect(repo.keyLimits).toHaveBeenCalledTimes(1);
    expect(all.map((x) => [x.org.max_requests_per_1_day, x.key?.max_tokens_per_1_minute])).toEqual(Array.from({ length: 200 }, () => [4, 7]));
  });

  it('a lookup after an invalidation does not join a read that started before it', async () => {
    let rows = new Map<string, LimitOverride>([['*', { max_requests_per_1_minute: 1 }]]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const repo = {
      orgOverrides: vi.fn(async () => {
        const seen = rows;
        await gate;
        return seen;
      }),
      keyLimits: vi.fn(async () => new Map()),
    };
    const r = new LimitsResolver({ rateLimits: repo as never }, config, new FakeClock(), 60_000);
    const before = r.resolveLimits('org-1', 'free', 'sim-small');
    rows = new Map([['*', { max_requests_per_1_minute: 2 }]]);
    r.invalidateOrg('org-1');
    const after = r.resolveLimits('org-1', 'free', 'sim-small');
    release();
    expect((await after).org.max_requests_per_1_minute).toBe(2);
    expect((await before).org.max_requests_per_1_minute).toBe(1);
    expect(repo.orgOverrides).toHaveBeenCalledTimes(2);
  });
});
