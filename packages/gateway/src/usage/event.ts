/**
 * One finished request as the usage ledger stores it. The request path builds it at settlement
 * and `UsageLedger.record` takes it.
 * @module
 */
import type { UsageEventsTable } from '../store/billing-tables.js';

/** The ledger columns the event carries in their JavaScript types rather than as the store reads them back. */
type TypedColumns = 'prompt_tokens' | 'cached_tokens' | 'completion_tokens' | 'cost_pico' | 'streamed' | 'latency_ms' | 'estimated' | 'created_at';

/** A ledger row (`UsageEventsTable`, whose fields say what each is) as the request path holds it. */
export interface UsageEvent extends Omit<UsageEventsTable, TypedColumns> {
  prompt_tokens: number;
  /** Of `prompt_tokens`, those the upstream reported as cached; 0 when it reported none or usage was estimated. */
  cached_tokens: number;
  completion_tokens: number;
  /**
   * Pico-dollars charged for this request: exactly tokens × the serving model's price. In a journal
   * line it is a decimal string (JSON has no 64-bit integers).
   */
  cost_pico: bigint;
  streamed: boolean;
  latency_ms: number;
  /** True when tokens were counted by the gateway because the engine reported no usage. */
  estimated: boolean;
  created_at: number;
}

const STRING_FIELDS = ['request_id', 'org_id', 'key_id', 'user_id', 'model', 'endpoint'] as const;
const INT_FIELDS = ['prompt_tokens', 'completion_tokens', 'status_code', 'latency_ms', 'created_at'] as const;
/** Fields added after the first version: a journal line written before them has none (null). */
const OPTIONAL_STRING_FIELDS = ['project_id', 'requested_model', 'error_message', 'upstream_request_id'] as const;
/** Counts added after the first version: a journal line written before them has none (0). */
const OPTIONAL_INT_FIELDS = ['cached_tokens'] as const;

/** Longest `requested_model` and `error_message` kept: enough for support, small rows on the hot path. */
export const MAX_REQUESTED_MODEL_CHARS = 256;
export const MAX_ERROR_MESSAGE_CHARS = 1000;

/** `s` cut to `max` characters (null stays null). */
export function clip(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined) return null;
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * A journal line: the event with its cost as a decimal string. One JSON.stringify, one flat string
 * (a line concatenated field by field was measured: a tree of ~40 small strings per request, which
 * the ledger's buffer keeps until the next flush, and more bytes allocated than this copy).
 */
export function serializeUsageEvent(e: UsageEvent): string {
  return JSON.stringify({ ...e, cost_pico: e.cost_pico.toString() });
}

/** The cost of a parsed line: `cost_pico` (a decimal string), or a line of a version that wrote `cost_micros`. */
function costOf(o: Record<string, unknown>): bigint | string {
  const p = o.cost_pico;
  if (typeof p === 'bigint') return p >= 0n ? p : 'cost_pico is negative';
  if (typeof p === 'string') return /^\d{1,19}$/.test(p) ? BigInt(p) : 'cost_pico is not a whole number >= 0';
  const m = o.cost_micros;
  if (p === undefined && Number.isSafeInteger(m) && (m as number) >= 0) return BigInt(m as number) * 1_000_000n;
  return 'cost_pico is missing';
}

/**
 * The event if `x` is a well-formed one (as parsed from a journal line), else a reason. Unknown
 * fields are dropped so that a journal written by another version still replays. An event
 * already in its stored form is returned as it is, not copied (`isStoredForm`).
 */
export function parseUsageEvent(x: unknown): UsageEvent | string {
  if (!x || typeof x !== 'object') return 'not an object';
  const o = x as Record<string, unknown>;
  for (const f of STRING_FIELDS) if (typeof o[f] !== 'string') return `${f} is not a string`;
  if ((o.request_id as string).length === 0) return 'request_id is empty';
  for (const f of INT_FIELDS) if (!Number.isSafeInteger(o[f]) || (o[f] as number) < 0) return `${f} is not a whole number >= 0`;
  if (o.error_code !== null && typeof o.error_code !== 'string') return 'error_code is not a string or null';
  for (const f of OPTIONAL_STRING_FIELDS) if (o[f] !== undefined && o[f] !== null && typeof o[f] !== 'string') return `${f} is not a string or null`;
  for (const f of OPTIONAL_INT_FIELDS) if (o[f] !== undefined && (!Number.isSafeInteger(o[f]) || (o[f] as number) < 0)) return `${f} is not a whole number >= 0`;
  if (typeof o.streamed !== 'boolean' || typeof o.estimated !== 'boolean') return 'streamed/estimated is not a boolean';
  const cost = costOf(o);
  if (typeof cost === 'string') return cost;
  if (isStoredForm(o)) return o as unknown as UsageEvent;
  return {
    request_id: o.request_id as string,
    org_id: o.org_id as string,
    project_id: optionalString(o.project_id),
    key_id: o.key_id as string,
    user_id: o.user_id as string,
    model: o.model as string,
    requested_model: clip(optionalString(o.requested_model), MAX_REQUESTED_MODEL_CHARS),
    endpoint: o.endpoint as string,
    prompt_tokens: o.prompt_tokens as number,
    cached_tokens: (o.cached_tokens as number | undefined) ?? 0,
    completion_tokens: o.completion_tokens as number,
    cost_pico: cost,
    status_code: o.status_code as number,
    error_code: o.error_code as string | null,
    error_message: clip(optionalString(o.error_message), MAX_ERROR_MESSAGE_CHARS),
    upstream_request_id: optionalString(o.upstream_request_id),
    streamed: o.streamed,
    latency_ms: o.latency_ms as number,
    estimated: o.estimated,
    created_at: o.created_at as number,
  };
}

/**
 * Whether a validated event already is what the copy below would make: its 20 fields and no
 * other, the optional ones present (null or within their length) and the cost a bigint. Then it
 * is kept as given rather than copied (an event made on the request path is, and this runs on
 * every request); a caller must not change an event after recording it.
 */
function isStoredForm(o: Record<string, unknown>): boolean {
  let fields = 0;
  // An inherited enumerable field counts too: such an event is copied.
  for (const _ in o) fields++;
  return (
    fields === 20 &&
    typeof o.cost_pico === 'bigint' &&
    typeof o.cached_tokens === 'number' &&
    (o.project_id === null || typeof o.project_id === 'string') &&
    (o.upstream_request_id === null || typeof o.upstream_request_id === 'string') &&
    (o.requested_model === null || (typeof o.requested_model === 'string' && o.requested_model.length <= MAX_REQUESTED_MODEL_CHARS)) &&
    (o.error_message === null || (typeof o.error_message === 'string' && o.error_message.length <= MAX_ERROR_MESSAGE_CHARS))
  );
}

function optionalString(x: unknown): string | null {
  return typeof x === 'string' ? x : null;
}

export function toRow(e: UsageEvent): UsageEventsTable {
  return {
    request_id: e.request_id,
    org_id: e.org_id,
    project_id: e.project_id,
    key_id: e.key_id,
    user_id: e.user_id,
    model: e.model,
    requested_model: e.requested_model,
    endpoint: e.endpoint,
    prompt_tokens: e.prompt_tokens,
    cached_tokens: e.cached_tokens,
    completion_tokens: e.completion_tokens,
    cost_pico: e.cost_pico,
    status_code: e.status_code,
    error_code: e.error_code,
    error_message: e.error_message,
    upstream_request_id: e.upstream_request_id,
    streamed: e.streamed ? 1 : 0,
    latency_ms: e.latency_ms,
    estimated: e.estimated ? 1 : 0,
    created_at: e.created_at,
  };
}
