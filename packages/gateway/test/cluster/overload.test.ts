/**
 * Issue 6 at scale-out: three gateway processes forward one model to ONE shared upstream (the
 * simulator served in this test process, reached through the `openai-compatible` engine), with
 * `admission.max_concurrency: 4`. With Redis the cap is a lease semaphore shared by the fleet, so
 * the upstream never sees more than 4 calls at once, however the burst is spread; the excess
 * waits in the fair queue or is answered 429 engine_overloaded with a retry hint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, startSimulatorServer, type SimulatorServer } from 'tollgate';
import { REDIS_KINDS } from './cluster.js';
import { countStatuses } from './load.js';
import { useCluster } from './use-cluster.js';

const CAP = 4;

let upstream: SimulatorServer;

describe.each(REDIS_KINDS)('overload across 3 gateway processes sharing one upstream, on %s', (_kind, redis) => {
  beforeAll(async () => {
    // The upstream itself could take 100 at once: any cap seen there is the gateways' doing.
    const sim = parseConfig({ models: [{ name: 'sim-small', simulator: { ttft_ms: 300, tokens_per_second: 0, max_concurrency: 100, max_queue: 1000 } }] });
    upstream = await startSimulatorServer({ models: sim.models, port: 0 });
  });
  afterAll(async () => {
    await upstream?.close();
  });
  // Started after, and closed before, the upstream the config points at.
  const fx = useCluster(() => ({
    instances: 3,
    redis,
    config: {
      default_tier: 'unlimited',
      models: [
        {
          name: 'sim-small',
          provider: 'openai-compatible',
          context_window: 8192,
          max_output_tokens: 4096,
          pricing: { input_per_1m: 0.15, output_per_1m: 0.6 },
          deployments: [{ name: 'shared-sim', base_url: `${upstream.url}/v1`, model: 'sim-small' }],
          admission: { max_concurrency: CAP, max_queue: 8, max_wait_ms: 2000 },
        },
      ],
    },
  }));

  it('never has more than max_concurrency calls in the upstream; the rest queue or get engine_overloaded', async () => {
    const t = await fx.cluster.newTenant('overload-org');
    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Take your time' }], max_tokens: 8 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 100 }, () => body));

    const counts = countStatuses(replies);
    expect(Object.keys(counts).sort()).toEqual(['200', '429']);
    const stats = upstream.engines.get('sim-small')!.stats();
    // The fleet-wide cap held, and was reached (so this measured something).
    expect(stats.maxInFlightSeen).toBe(CAP);
    // Every answered request reached the upstream once; no refused one reached it at all.
    expect(stats.served).toBe(counts[200]);
    expect(stats.inFlight).toBe(0);
    expect(counts[200]).toBeGreaterThanOrEqual(CAP);

    for (const r of replies.filter((x) => x.status === 200)) expect(r.body.choices[0].message.content.length).toBeGreaterThan(0);
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.body.error).toEqual({ message: 'The engine is currently overloaded, please try again later', type: 'server_error', param: null, code: 'engine_overloaded' });
      // A hint only where the gateway knows the drain rate (slots released recently); then positive.
      if (r.headers['retry-after-ms'] !== undefined) {
        expect(Number(r.headers['retry-after-ms'])).toBeGreaterThan(0);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      } else expect(r.headers['retry-after']).toBeUndefined();
      expect(r.headers['x-should-retry']).not.toBe('false');
    }
  });
});
