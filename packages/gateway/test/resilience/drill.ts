/**
 * Shared pieces of the outage drills: reading the ledger and the spend counter of an
 * organization, and sending chat requests (JSON or streamed) while recording how each ended.
 */
import { billingDb } from '../../src/store/billing-tables.js';
import { moneyText } from '../../src/billing/money-column.js';
import { spendTarget } from '../../src/billing/period.js';
import type { Gateway } from 'tollgate';

export interface Ended {
  status: number;
  /** The error code of a non-200 answer, or of the stream's error frame. */
  code: string | null;
  /** For streams: the last SSE data line was `[DONE]`. */
  done?: boolean;
}

/** One chat request over plain fetch; a stream is read to its end. Never throws on an HTTP error. */
export async function chat(baseURL: string, apiKey: string, body: Record<string, unknown>): Promise<Ended> {
  const r = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  if (r.status !== 200) return { status: r.status, code: codeOf(text) };
  if (!body.stream) return { status: 200, code: null };
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6));
  const last = data.at(-1);
  return { status: 200, code: last && last !== '[DONE]' ? codeOf(last) : null, done: last === '[DONE]' };
}

function codeOf(text: string): string | null {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string | null; type?: string } }).error;
    return e?.code ?? e?.type ?? null;
  } catch {
    return null;
  }
}

/** Spend of the organization in the ledger this month (pico-dollars), after flushing this instance's buffer. */
export async function ledgerSpend(gateway: Gateway, orgId: string): Promise<{ pico: bigint; requests: number }> {
  await gateway.services.ledger.flush();
  const row = await billingDb(gateway.services.store)
    .selectFrom('usage_events')
    .select((eb) => [moneyText(eb.fn.coalesce(eb.fn.sum<number | string>('cost_pico'), eb.val(0))).as('cost'), eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .where('status_code', '=', 200)
    .executeTakeFirstOrThrow();
  return { pico: BigInt(row.cost), requests: Number(row.n) };
}

/** The organization's spend counter (spent, reserved) for this month. */
export async function counterSpend(gateway: Gateway, orgId: string): Promise<{ spent: bigint; reserved: bigint }> {
  const t = spendTarget(orgId, gateway.services.pipeline.clock.now());
  return gateway.services.counters.spendOf(t.tag, t.key);
}

/** Counts answers by `status code` (e.g. `200`, `503 store_unavailable`). */
export function tally(ended: Ended[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of ended) {
    const k = e.status === 200 ? (e.code ? `200+${e.code}` : '200') : `${e.status} ${e.code}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export async function waitUntil(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
