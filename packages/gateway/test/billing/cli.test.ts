import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../src/billing/cli.js';
import { type CliIo, runCli } from 'tollgate';
import { formatUsd } from '../../src/billing/pricing.js';
import type { UsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { event } from '../usage/db.js';
import { ADMIN_KEY } from '../support/admin.js';
import { startBillingServer, type BillingServer } from './harness.js';

describe('tollgate usage | billing | quota-requests', () => {
  let s: BillingServer;
  let org: string;
  let january: UsageEvent[];

  beforeAll(async () => {
    s = await startBillingServer('sqlite', Date.UTC(2026, 1, 10));
    org = await s.newOrg({ hard: 100_000_000 });
    january = [];
    for (let i = 0; i < 90; i++) {
      january.push(
        event({
          org_id: org,
          model: i % 3 === 0 ? 'sim-large' : 'sim-small',
          key_id: i % 2 ? 'key_one' : 'key_two',
          prompt_tokens: 100 + i,
          completion_tokens: 10 + i,
          // Sub-micro-dollar amounts: the sums must stay exact to the pico-dollar.
          cost_pico: 1_234_000_007n + BigInt(i) * 1_000_001n,
          created_at: Date.UTC(2026, 0, 1 + (i % 31), i % 24),
        }),
      );
    }
    // Outside January: must not be counted.
    await writeUsageBatch(s.store, [...january, event({ org_id: org, created_at: Date.UTC(2026, 1, 1), cost_pico: 10n ** 15n }), event({ org_id: org, created_at: Date.UTC(2025, 11, 31, 23, 59), cost_pico: 10n ** 15n })]);
  });
  afterAll(async () => {
    await s.close();
  });

  let extraEnv: Record<string, string> = {};
  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: (x) => void (out += x),
      stderr: (x) => void (err += x),
      env: { TOLLGATE_URL: s.url, TOLLGATE_ADMIN_KEY: ADMIN_KEY, ...extraEnv },
      fetch,
      now: () => s.clock.now(),
    };
    const code = await runCli(argv, io);
    return { code, out, err };
  }

  it('prints a month by model and key, summing every day (JSON)', async () => {
    const r = await run('usage', org, '--month', '2026-01', '--json');
    expect(r.code, r.err).toBe(0);
    const got = JSON.parse(r.out);
    const want = new Map<string, { requests: number; input_tokens: number; output_tokens: number; cost: bigint }>();
    for (const e of january) {
      const k = `${e.model}|${e.key_id}`;
      const w = want.get(k) ?? { requests: 0, input_tokens: 0, output_tokens: 0, cost: 0n };
      w.requests++;
      w.input_tokens += e.prompt_tokens;
      w.output_tokens += e.completion_tokens;
      w.cost += e.cost_pico;
      want.set(k, w);
    }
    expect(got.organization_id).toBe(org);
    expect(got.month).toBe('2026-01');
    expect(got.rows).toHaveLength(want.size);
    for (const row of got.rows) {
      const w = want.get(`${row.model}|${row.api_key_id}`)!;
      expect(row).toEqual({
        model: row.model,
        api_key_id: row.api_key_id,
        requests: w.requests,
        input_tokens: w.input_tokens,
        output_tokens: w.output_tokens,
        cost_usd: Number(formatUsd(w.cost)),
        cost_usd_exact: formatUsd(w.cost),
      });
    }
    const cost = january.reduce((n, e) => n + e.cost_pico, 0n);
    expect(got.total).toEqual({
      requests: 90,
      input_tokens: january.reduce((n, e) => n + e.prompt_tokens, 0),
      output_tokens: january.reduce((n, e) => n + e.completion_tokens, 0),
      cost_usd: Number(formatUsd(cost)),
      cost_usd_exact: formatUsd(cost),
    });
  });

  it('prints the same month as a table, this month by default', async () => {
    const r = await run('usage', org, '--month', '2026-01');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe(`Usage of ${org} in 2026-01 (UTC)`);
    expect(lines[2]).toMatch(/^MODEL\s+API KEY\s+REQUESTS\s+INPUT TOKENS\s+OUTPUT TOKENS\s+COST \(USD\)$/);
    expect(lines).toHaveLength(3 + 4 + 1); // title, blank, header, 2 models × 2 keys, total
    const total = lines.at(-1)!.split(/\s+/);
    expect(total[0]).toBe('TOTAL');
    expect(total.at(-1)).toBe(money(january.reduce((n, e) => n + e.cost_pico, 0n)));
    const feb = await run('usage', org);
    expect(feb.out).toContain('in 2026-02');
  });

  it("reports TOLLGATE_ORGANIZATION's usage when no organization is given (the first start's credentials file sets it)", async () => {
    const named = await run('usage', org, '--month', '2026-01');
    extraEnv = { TOLLGATE_ORGANIZATION: org };
    try {
      const fromEnv = await run('usage', '--month', '2026-01');
      expect(fromEnv.code, fromEnv.err).toBe(0);
      expect(fromEnv.out).toBe(named.out);
      expect((await run('billing', 'get', '--json')).out).toContain(`"organization_id": "${org}"`);
    } finally {
      extraEnv = {};
    }
    const unset = await run('usage');
    expect(unset.code).toBe(2);
    expect(unset.err).toMatch(/^error: missing <org_id> \(or set TOLLGATE_ORGANIZATION\)/);
  });

  it('gets and sets billing limits', async () => {
    let r = await run('billing', 'set', org, '--hard', '250', '--soft', '200.5');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Hard limit    $250.00');
    expect(r.out).toContain('Soft limit    $200.50');
    r = await run('billing', 'set', org, '--soft', 'none', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ hard_limit_usd: 250, soft_limit_usd: null });
    r = await run('billing', 'get', org);
    expect(r.out).toContain('Soft limit    none');
    expect(s.limitsChanged.filter((x) => x === org)).toHaveLength(2);
  });

  it("shows the organization's own spend limit beside the approved one, and the one enforced", async () => {
    const layered = await s.newOrg({ hard: 250_000_000, own: 40_500_000 });
    const r = await run('billing', 'get', layered);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("Hard limit    $250.00 (approved)\nOwn limit     $40.50 (the organization's)\nEnforced      $40.50 (the lower: requests are refused above it)\n");
    const none = await run('billing', 'get', await s.newOrg());
    expect(none.out).toContain("Hard limit    unlimited (approved)\nOwn limit     none (the organization's)\nEnforced      unlimited (the lower: requests are refused above it)\n");
  });

  it('creates, lists, approves and rejects quota requests', async () => {
    const other = await s.newOrg({ hard: 5_000_000 });
    let r = await run('quota-requests', 'create', other, '--hard', '20', '--reason', 'new product', '--json');
    expect(r.code, r.err).toBe(0);
    const id = JSON.parse(r.out).id as string;
    r = await run('quota-requests', 'list', '--status', 'pending', '--org', other);
    expect(r.out).toContain(id);
    expect(r.out).toContain('new product');
    r = await run('quota-requests', 'approve', id, '--note', 'fine');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/approved\s+\$20\.00/);
    expect((await run('billing', 'get', other, '--json')).out).toContain('"hard_limit_usd": 20');

    r = await run('quota-requests', 'create', other, '--hard', '30', '--reason', 'more', '--json');
    const second = JSON.parse(r.out).id as string;
    expect((await run('quota-requests', 'reject', second)).code).toBe(2); // a note is required
    r = await run('quota-requests', 'reject', second, '--note', 'no');
    expect(r.out).toContain('rejected');
    r = await run('quota-requests', 'approve', second);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`HTTP 409: Quota request ${second} was already rejected.`);
  });

  it('reports usage mistakes with exit code 2 and server errors with 1', async () => {
    expect((await run('usage', org, '--month', '2026-13')).code).toBe(2);
    expect((await run('usage')).code).toBe(2);
    expect((await run('billing', 'set', org)).code).toBe(2);
    expect((await run('billing', 'set', org, '--hard', 'lots')).code).toBe(2);
    const missing = await run('billing', 'get', 'org_missing');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('HTTP 404: No such organization: org_missing.');
    const help = await run('usage', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('tollgate usage [<org_id>]');
    let err = '';
    const noKey = await runCli(['billing', 'get', org], { stdout: () => {}, stderr: (x) => void (err += x), env: { TOLLGATE_URL: s.url }, fetch });
    expect(noKey).toBe(2);
    expect(err).toContain('TOLLGATE_ADMIN_KEY is not set');
  });

  it('formats money exactly, with at least 2 decimals', () => {
    expect(money(0n)).toBe('0.00');
    expect(money(150_000_000n)).toBe('0.00015');
    expect(money(12_500_000_000_000n)).toBe('12.50');
    expect(money(1_234_567_000_000n)).toBe('1.234567');
    expect(money(1_000_000n)).toBe('0.000001');
    expect(money(20_000n)).toBe('0.00000002'); // one token at $0.02/1M: shown, not rounded to 0
  });
});
