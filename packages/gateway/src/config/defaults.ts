import type { ModelConfig, Tiers } from './types.js';

const sim = { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 64, max_queue: 256, faults: {}, allow_fault_header: false, seed: 0 };
const breaker = { consecutive_failures: 5, error_rate: 0.5, window: 20, open_ms: 30_000 };
const base = { provider: 'simulator' as const, deployments: [], admission: null, breaker, fallbacks: [], owned_by: 'tollgate', created: 1_767_225_600 };

/** The models `npm start` serves when no config file is given: all on the built-in simulator. */
export const DEFAULT_MODELS: readonly ModelConfig[] = [
  { ...base, name: 'sim-small', type: 'chat', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: sim },
  { ...base, name: 'sim-large', type: 'chat', context_window: 128_000, max_output_tokens: 16_384, pricing: { input_per_1m: 2.5, output_per_1m: 10 }, simulator: sim },
  { ...base, name: 'sim-embed', type: 'embedding', context_window: 8192, max_output_tokens: 1, pricing: { input_per_1m: 0.02, output_per_1m: 0 }, simulator: sim },
];

/**
 * Usage tiers, shaped like OpenAI's: limits grow with the tier. `*` applies to every model the
 * tier does not name. A new organization gets `default_tier`; per-organization overrides win.
 */
export const DEFAULT_TIERS: Tiers = {
  free: { '*': { max_requests_per_1_minute: 60, max_tokens_per_1_minute: 40_000, max_requests_per_1_day: 1_000, max_tokens_per_1_day: 1_000_000 } },
  'tier-1': { '*': { max_requests_per_1_minute: 500, max_tokens_per_1_minute: 200_000, max_requests_per_1_day: 10_000, max_tokens_per_1_day: 10_000_000 } },
  'tier-2': { '*': { max_requests_per_1_minute: 5_000, max_tokens_per_1_minute: 2_000_000, max_requests_per_1_day: null, max_tokens_per_1_day: null } },
  'tier-3': { '*': { max_requests_per_1_minute: 5_000, max_tokens_per_1_minute: 4_000_000 } },
  'tier-4': { '*': { max_requests_per_1_minute: 10_000, max_tokens_per_1_minute: 10_000_000 } },
  'tier-5': { '*': { max_requests_per_1_minute: 30_000, max_tokens_per_1_minute: 150_000_000 } },
  unlimited: { '*': {} },
};
