import type { FakeClock, ModelConfig, SimulatorSettings } from 'tollgate';
import type { EngineCall, EngineResult, InferenceEndpoint } from '../../src/upstream/engine.js';

export function simModel(sim: Partial<SimulatorSettings> = {}, over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name: 'sim-test',
    provider: 'simulator',
    type: 'chat',
    context_window: 8192,
    max_output_tokens: 4096,
    pricing: { input_per_1m: 1, output_per_1m: 2 },
    simulator: { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 64, max_queue: 256, faults: {}, allow_fault_header: false, seed: 0, ...sim },
    deployments: [],
    admission: null,
    breaker: { consecutive_failures: 5, error_rate: 0.5, window: 20, open_ms: 30_000 },
    fallbacks: [],
    owned_by: 'tollgate',
    created: 1_767_225_600,
    ...over,
  };
}

let seq = 0;
export function call(endpoint: InferenceEndpoint, body: Record<string, unknown>, extra: Partial<EngineCall> = {}): EngineCall {
  return {
    endpoint,
    body,
    stream: body.stream === true,
    clientWantsUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
    requestId: `req_test_${++seq}`,
    signal: new AbortController().signal,
    ...extra,
  };
}

export const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'sim-test',
  messages: [{ role: 'user', content }],
  ...extra,
});

export function json(r: EngineResult): Record<string, any> {
  if (r.kind !== 'json') throw new Error(`expected a JSON result, got ${r.kind}`);
  return r.body as Record<string, any>;
}

export function chunksOf(r: EngineResult): AsyncIterable<Record<string, any>> {
  if (r.kind !== 'stream') throw new Error(`expected a stream, got ${r.kind}`);
  return r.chunks as AsyncIterable<Record<string, any>>;
}

export async function collect(r: EngineResult): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const c of chunksOf(r)) out.push(c);
  return out;
}

/** Lets every pending promise callback and I/O callback run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances fake time in steps until `done()` holds; fails instead of spinning forever. */
export async function runClockUntil(clock: FakeClock, done: () => boolean, stepMs = 10, maxSteps = 100_000): Promise<void> {
  await flush();
  for (let i = 0; i < maxSteps && !done(); i++) {
    await clock.advance(stepMs);
    await flush();
  }
  if (!done()) throw new Error('runClockUntil: condition never held');
}

/** Tracks whether a promise settled, for fake-time tests. */
export function track<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise: p };
}
