/**
 * Shared pieces of issue 6's gateway-level acceptance tests: Tollgate in front of real HTTP
 * upstreams (the simulator served alone, scriptable node:http fakes, a closed port), driven by
 * the official `openai` SDK through a fetch that counts every attempt and checks, on every
 * response it sees, that no 200 JSON body carries an error.
 */
import OpenAI from 'openai';
import { expect, vi } from 'vitest';
import type { Timeouts } from 'tollgate';
import { billingDb } from '../../src/store/billing-tables.js';
import { TIMEOUTS } from '../upstream/helpers.js';
import type { TestGateway } from '../support/gateway.js';

/** Upstream model name every simulator deployment asks for. */
export const SIM_MODEL = 'sim-up';
export const PRICING = { input_per_1m: 1, output_per_1m: 2 };

/**
 * The upstream engine tests' generous deadlines: a call that is not about one must not fail on a
 * loaded machine, where a relay waits for the event loop longer than a short deadline. A test of
 * a deadline sets it small on a model of its own.
 */
export { TIMEOUTS };

/** A breaker that never opens in the fault tests (error_rate 0: the default 0.5 over 20 calls would). */
export const NO_BREAKER = { consecutive_failures: 1000, error_rate: 0 };

export interface DeploymentDoc {
  base_url: string;
  model?: string;
  weight?: number;
  timeouts?: Partial<Timeouts>;
  stream_usage?: 'always' | 'never' | 'auto';
  responses_api?: 'chat' | 'native';
}

/** An `openai-compatible` model as the gateway config file would list it. */
export function upstreamModel(name: string, deployments: DeploymentDoc[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    provider: 'openai-compatible',
    context_window: 8192,
    max_output_tokens: 4096,
    pricing: PRICING,
    deployments: deployments.map((d) => ({ model: SIM_MODEL, ...d, timeouts: { ...TIMEOUTS, ...d.timeouts } })),
    breaker: NO_BREAKER,
    ...over,
  };
}

export interface Attempt {
  url: string;
  status?: number;
}

/**
 * A fetch for the SDK that records each attempt and, for a 200 JSON answer, whether its body
 * holds an `error` (the "never a 200 with an error inside" invariant, checked on every response).
 */
export function countingFetch(): { fetch: typeof fetch; attempts: Attempt[]; okWithError: string[]; reset(): void } {
  const attempts: Attempt[] = [];
  const okWithError: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const a: Attempt = { url: String(input instanceof Request ? input.url : input) };
    attempts.push(a);
    const res = await fetch(input, init);
    a.status = res.status;
    if (res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('application/json')) {
      const body = (await res.clone().json()) as Record<string, unknown>;
      if ('error' in body) okWithError.push(JSON.stringify(body));
    }
    return res;
  };
  return {
    fetch: f,
    attempts,
    okWithError,
    reset() {
      attempts.length = 0;
    },
  };
}

export function sdk(gw: TestGateway, f: typeof fetch, maxRetries: number, apiKey = gw.apiKey): OpenAI {
  return new OpenAI({ baseURL: gw.baseURL, apiKey, maxRetries, fetch: f });
}

/** The SDK's error; every error here came from an HTTP response, so its headers are there. */
export type SdkError = InstanceType<typeof OpenAI.APIError> & { headers: Headers };

export const fault = (value: string) => ({ headers: { 'x-tollgate-fault': value } });

export const ask = (model: string, over: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user' as const, content: 'Tell me a short story about a gateway.' }],
  ...over,
});

export { rejection } from '../support/rejection.js';

/** Reads a stream to its end or its error: the chunks before, and what was thrown. */
export async function readStream<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error: unknown }> {
  const chunks: T[] = [];
  try {
    for await (const c of stream) chunks.push(c);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

export interface LedgerRow {
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
}

/**
 * The organization's usage report (admin API) once it holds `requests` requests, flushing the
 * ledger while waiting; and the stored events, for their status and error code.
 */
export async function ledgerOf(gw: TestGateway, orgId: string, requests = 1) {
  const start = Math.floor(Date.now() / 1000) - 3600;
  let row: LedgerRow | undefined;
  await vi.waitFor(
    async () => {
      await gw.gateway.services.ledger.flush();
      const r = await gw.admin('GET', `/admin/v1/organizations/${orgId}/usage/completions?start_time=${start}&bucket_width=1d`);
      expect(r.status).toBe(200);
      row = r.body.data.flatMap((b: { results: LedgerRow[] }) => b.results)[0];
      expect(row?.num_model_requests).toBe(requests);
    },
    { timeout: 20_000, interval: 20 },
  );
  const events = await billingDb(gw.gateway.services.store)
    .selectFrom('usage_events')
    .select(['request_id', 'status_code', 'error_code', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'streamed', 'estimated'])
    .where('org_id', '=', orgId)
    .execute();
  return { report: row!, events };
}
