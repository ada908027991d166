/**
 * Fault injection: any error of the catalog, on demand or at random.
 *
 * The `x-tollgate-fault` header (passed to the engine as `call.fault`) takes one of:
 *
 *   <catalog id>            fail before any output with that error, e.g. `rate_limit_tokens`
 *   <catalog id>@<n>        on a stream: send the role chunk and n content chunks, then fail
 *                           with that error from the chunk iterator (a mid-stream error);
 *                           on a non-streamed call it fails like `<catalog id>`
 *   stall@<n>               send n content chunks, then nothing until the call is aborted
 *                           (tests idle and first-byte timeouts); `stall` = `stall@0`
 *   disconnect@<n>          HTTP simulator only: destroy the socket after n content chunks
 *                           (a non-streamed call is cut before any response); `disconnect` = `@0`
 *
 * n counts content chunks (deltas with text or tool-call arguments), not the role or finish
 * chunks. Anything else is answered with `invalid_fault` (400).
 * @module
 */
import { findEntry, maskKey, retryHeaders, type CatalogEntry, type RenderVars } from '@tollgate/protocol';
import { formatUsd, worstCasePico } from '../../billing/pricing.js';
import type { ModelConfig } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';

export type FaultPlan =
  | { kind: 'error'; id: string; afterChunks: number | null }
  | { kind: 'stall'; afterChunks: number }
  | { kind: 'disconnect'; afterChunks: number };

/** The wait an injected rate-limit fault asks for; `wait` in messages says the same. */
export const FAULT_RETRY_MS = 1000;

/** Parses a fault header value; throws ApiError('invalid_fault') for anything not listed above. */
export function parseFault(value: string): FaultPlan {
  const m = /^([a-z0-9_]+)(?:@(\d{1,9}))?$/.exec(value.trim());
  const invalid = () => new ApiError('invalid_fault', { fault: value });
  if (!m) throw invalid();
  const id = m[1]!;
  const n = m[2] === undefined ? null : Number(m[2]);
  if (id === 'stall' || id === 'disconnect') return { kind: id, afterChunks: n ?? 0 };
  if (!findEntry(id)) throw invalid();
  return { kind: 'error', id, afterChunks: n };
}

/** Plausible values for every placeholder a catalog message can contain. */
function sampleVars(e: CatalogEntry, model: ModelConfig): Record<string, string | number> {
  const tokensPerMin = e.type === 'tokens';
  const prompt = model.context_window + 1024;
  return {
    model: model.name,
    organization: 'org-simulator',
    store: 'database',
    project: 'proj_simulator',
    project_id: 'proj_simulator',
    ip: '203.0.113.7',
    wait: '1s',
    key: maskKey('sk-simulator-0000000000000000000000000000'),
    scopes: 'model.request',
    actual: 'a string',
    expected: 'an array',
    param: 'messages',
    max: 128,
    min: 1,
    value: 129,
    length: 129,
    supported: "'system', 'assistant', 'user', 'tool', and 'function'",
    requires: 'stream',
    requirement: 'true',
    names: 'simulated_argument',
    noun: 'messages',
    context_window: model.context_window,
    prompt_tokens: prompt,
    completion_tokens: model.max_output_tokens,
    total_tokens: prompt + model.max_output_tokens,
    method: 'POST',
    path: '/v1/chat/completions',
    allowed: 'POST',
    limit: tokensPerMin ? 30_000 : 60,
    used: tokensPerMin ? 29_000 : 60,
    requested: tokensPerMin ? (e.id === 'request_too_large' ? 31_538 : 2_000) : 1,
    dimension: tokensPerMin ? 'tokens per min' : 'requests per min',
    abbr: tokensPerMin ? 'TPM' : 'RPM',
    // Whose allowlist (`for your organization`) or whose blocked limit (`The limit of this organization`).
    scope: e.id === 'ip_not_authorized' ? 'organization' : 'this organization',
    limits_page: 'limits',
    // A spend limit's refusal of a worst case: this model's full output, against a $0.01 limit.
    output_tokens: model.max_output_tokens,
    cost: formatUsd(worstCasePico(model, prompt, model.max_output_tokens), 2),
    left: '0.01',
    spend_limit: '0.01',
    endpoint: 'v1/chat/completions',
    suggested: 'v1/embeddings',
    content_type: 'text/plain',
    fault: e.id,
    timeout: '30s',
    resource: 'model',
    id: model.name,
    message: 'The simulator was asked for a conflict.',
    reason: 'HPE_INVALID_METHOD',
    email: 'user@example.com',
    ids: 'call_simulated0',
    call_id: 'call_simulated0',
  };
}

/**
 * The ApiError for catalog entry `id` as this model would raise it: the message's placeholders
 * filled, a retry hint on rate limits, `x-should-retry: false` on the entries a retry cannot fix.
 */
export function faultError(id: string, model: ModelConfig): ApiError {
  const e = findEntry(id);
  if (!e) return new ApiError('invalid_fault', { fault: id });
  const all = sampleVars(e, model);
  const vars: Record<string, string | number> = {};
  for (const [, name] of e.message.matchAll(/\{([a-z_]+)\}/g)) if (name! in all) vars[name!] = all[name!]!;
  // Only a rate limit comes with a wait (its message names it); a server error or an overload
  // carries no hint, as the platform's do, so clients back off exponentially. ApiError adds
  // `x-should-retry: false` where the entry is not retryable.
  const headers = e.retryable && e.kind === 'rate_limit' ? retryHeaders(FAULT_RETRY_MS) : {};
  const param = e.message.includes('{param}') ? String(all.param) : undefined;
  return new ApiError(e.id, vars as RenderVars, { headers, ...(param === undefined ? {} : { param }) });
}

/**
 * Rolls each configured probability in order; the first hit is the request's fault.
 * Throws at construction time for an id that is not in the catalog, so a typo in the config
 * fails at startup instead of never firing.
 */
export class FaultRoller {
  private readonly faults: [string, number][];

  constructor(
    private readonly model: ModelConfig,
    private readonly random: () => number,
  ) {
    this.faults = Object.entries(model.simulator.faults ?? {}).filter(([, p]) => p > 0);
    for (const [id] of this.faults) {
      if (!findEntry(id)) throw new Error(`simulator for model '${model.name}': unknown fault id '${id}' in simulator.faults`);
    }
  }

  /** Throws the rolled fault, if any. */
  roll(): void {
    for (const [id, p] of this.faults) if (this.random() < p) throw faultError(id, this.model);
  }
}
