/**
 * The schema of one entry of `models:` in tollgate.yaml: a model, how it is priced, and the
 * engine that serves it (the built-in simulator or OpenAI-compatible deployments).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { z } from 'zod';
import { findEntry } from '@tollgate/protocol';
import { isWholePicoPerToken } from '../billing/pricing.js';
import { durationMs, envName, flag, int, list, mapping, num, oneOf, record, section, show, showType, strings, text } from './fields.js';
import { webUrl } from './url-fields.js';

/** Whether node:http's own check accepts `check(name, value)` (validateHeaderName / validateHeaderValue). */
function passes(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * Headers that could never be sent, checked here because the HTTP client would refuse them on
 * every request: a name that is not an HTTP token, a value that is not a non-empty string or
 * holds a line break or another control character. A value is never quoted (it may be a
 * credential), and a name only when it is a valid one: `Authorization:Bearer sk-…` without a space
 * after the colon reads as a name with no value, the key inside the name. Such a header used to be
 * dropped, and every request went without its key.
 */
function sendableHeaders(headers: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!passes(() => validateHeaderName(name))) {
      const hint = value === null || value === undefined ? ' (a header needs `Name: value`, with a space after the colon)' : '';
      ctx.addIssue({ code: 'custom', message: `a header name is not a valid HTTP field name (letters, digits and !#$%&'*+.^_\`|~-)${hint}; the name is not quoted: it may hold a secret` });
    } else if (value === null || value === undefined || value === '') ctx.addIssue({ code: 'custom', path: [name], message: 'a header needs a value (write `Name: value`, with a space after the colon)' });
    else if (typeof value !== 'string') ctx.addIssue({ code: 'custom', path: [name], message: `expected a non-empty string, got ${showType(value)}` });
    else if (!passes(() => validateHeaderValue(name, value))) ctx.addIssue({ code: 'custom', path: [name], message: 'a header value may not hold a line break or another control character (not quoted)' });
  }
}

const simulator = section({
  /** Milliseconds before the first token (0 = immediate). */
  ttft_ms: durationMs(0, 'a number').default(0),
  /** Output speed; 0 = all at once. */
  tokens_per_second: num({ min: 0 }).default(0),
  /** Requests the simulated engine runs at once. */
  max_concurrency: int({ min: 1 }).default(64),
  /** Requests it queues beyond that; more are answered as an overloaded engine would. */
  max_queue: int({ min: 0 }).default(256),
  /** Fault injection: catalog id → probability per request (0..1). */
  faults: record(num({ min: 0, max: 1 }).default(0)).superRefine((faults, ctx) => {
    for (const id of Object.keys(faults)) if (!findEntry(id)) ctx.addIssue({ code: 'custom', path: [id], message: 'not an error id of the catalog' });
  }),
  /** Honour the `x-tollgate-fault: <catalog id>` request header. Absent: the top-level `simulator.allow_fault_header`. */
  allow_fault_header: flag().optional(),
  /** Seed mixed into the deterministic output (a request's own `seed` is mixed in too). */
  seed: int().default(0),
});

const timeouts = section({
  connect_ms: durationMs(1).default(5_000),
  first_byte_ms: durationMs(1).default(60_000),
  idle_ms: durationMs(1).default(30_000),
  total_ms: durationMs(1).default(600_000),
});

const deployment = mapping({
  /** Stable name for metrics, breaker state and the admission semaphore; absent: `<model>#<index>`. */
  name: text().optional(),
  base_url: webUrl().transform((u) => u.replace(/\/+$/, '')),
  /** Environment variable holding the upstream API key (never the key itself); it must be set. Absent: requests go without a key. */
  api_key_env: envName().nullable().default(null),
  /** The model name the upstream knows; absent: the model's own name. */
  model: text().optional(),
  /** Sent with every request here; a value may be a credential (`Authorization`, `api-key`), so a wrong one is never quoted. */
  headers: record(z.unknown(), { shown: showType })
    .superRefine(sendableHeaders)
    .transform((h) => h as Record<string, string>),
  weight: num({ min: 0 }).default(1),
  timeouts,
  /**
   * Whether streams sent here carry `stream_options.include_usage` (so that usage is reported):
   * `always`; `never` (the field is removed, the gateway counts tokens itself, marked estimated);
   * `auto` (absent = auto): sent until the upstream refuses the field, then the call is retried
   * once without it and this deployment is sent none from then on.
   */
  stream_usage: oneOf(['auto', 'always', 'never']).default('auto').optional(),
  /**
   * How `/v1/responses` reaches this deployment: `native` passes it through to the upstream's own
   * `/responses`; `chat` (the default, every OpenAI-compatible server has it) translates it to and
   * from `/chat/completions`, streaming and tool calls included.
   */
  responses_api: oneOf(['chat', 'native']).default('chat'),
});

/** A USD-per-1M price; finer than $0.000001 per 1M tokens (one pico-dollar per token) cannot be counted exactly. */
const price = () =>
  num({ min: 0 })
    .superRefine((v, ctx) => {
      if (!isWholePicoPerToken(v)) ctx.addIssue({ code: 'custom', message: `${v} has more than 6 decimals; prices are counted in whole $0.000001 per 1M tokens` });
    })
    .default(0);

/** Parameter names as a client sends them at the top level of the body. */
const paramNames = strings().superRefine((names, ctx) => {
  for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(n)) ctx.addIssue({ code: 'custom', message: `${show(n)} is not a parameter name` });
});

export const modelSchema = mapping({
  name: text(),
  provider: oneOf(['simulator', 'openai-compatible']).default('simulator'),
  /** chat models serve /v1/chat/completions and /v1/completions; embedding models /v1/embeddings. */
  type: oneOf(['chat', 'embedding']).default('chat'),
  context_window: int({ min: 1 }).default(8192),
  /**
   * Embedding models: the length of the vectors the model returns; a request's `dimensions` may ask
   * for fewer, never more. Absent: OpenAI's own for its embedding models (by the model's name or
   * its deployments' upstream name), the simulator's 1536 on the simulator, else not checked.
   */
  embedding_dimensions: int({ min: 1 }).optional(),
  /**
   * Embedding models: whether a request may set `dimensions` at all (text-embedding-3 models can
   * shorten their vectors; text-embedding-ada-002 cannot). Absent: false for
   * text-embedding-ada-002, else true.
   */
  accepts_dimensions: flag().optional(),
  /** Absent: 4096, or the context window if smaller. */
  max_output_tokens: int({ min: 1 }).optional(),
  /** USD per million tokens; converted to integer micro-dollars where money is counted. */
  pricing: section({ input_per_1m: price(), output_per_1m: price() }),
  simulator,
  deployments: list(deployment),
  admission: mapping({
    max_concurrency: int({ min: 1 }).default(64),
    max_queue: int({ min: 0 }).default(256),
    max_wait_ms: durationMs(1).default(10_000),
    adaptive: mapping({ min: int({ min: 1 }).default(1), max: int({ min: 1 }).default(64), backoff_ratio: num({ min: 0.1, max: 0.99 }).default(0.9) })
      .nullable()
      .default(null),
  })
    .nullable()
    .default(null),
  breaker: section({
    consecutive_failures: int({ min: 1 }).default(5),
    error_rate: num({ min: 0, max: 1 }).default(0.5),
    window: int({ min: 1 }).default(20),
    open_ms: durationMs(1).default(30_000),
  }),
  /** Other models tried, in order, when every deployment of this one fails before the first byte. */
  fallbacks: strings().default([]),
  /**
   * Request parameters outside OpenAI's API that are forwarded to this model's engine as sent
   * (`top_k`, `min_p`, `repetition_penalty`, `chat_template_kwargs`, `guided_json`, ... for vLLM,
   * llama.cpp, Ollama). Absent or empty: only OpenAI's parameters, anything else is OpenAI's 400.
   */
  extra_params: paramNames.default([]).optional(),
  /** Forward every parameter the gateway does not know, unchecked. Off (absent) by default. */
  forward_unknown_params: flag().default(false).optional(),
  owned_by: text().default('tollgate'),
  created: int({ min: 0 }).default(1_767_225_600),
})
  .superRefine((m, ctx) => {
    if (m.provider === 'openai-compatible' && m.deployments.length === 0) ctx.addIssue({ code: 'custom', path: ['deployments'], message: 'an openai-compatible model needs at least one deployment' });
  })
  .transform((m) => ({
    ...m,
    max_output_tokens: m.max_output_tokens ?? Math.min(4096, m.context_window),
    deployments: m.deployments.map((d, i) => ({ ...d, name: d.name ?? `${m.name}#${i}`, model: d.model ?? m.name })),
  }));

/** A model as parsed, before the top-level `simulator.allow_fault_header` is applied to it. */
export type ParsedModel = z.output<typeof modelSchema>;
