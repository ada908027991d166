/**
 * @tollgate/client — an SDK for OpenAI-compatible APIs (Tollgate's first) whose errors follow the
 * error guide: each error is a class chosen from the error catalog (so one 429 is a
 * `RateLimitError`, another an `InsufficientQuotaError`), carries `retryable`, the server's retry
 * hint, a localized `hint` (cause and fix), and a `supportReport()`. Retries back off with full
 * jitter, follow the server's hints, stop for what cannot succeed, and are capped by a retry
 * budget. A `Pacer` keeps a batch under the rate limits; `pacedFetch` lends it to the official SDK;
 * `classify` types the official SDK's errors. Runs on Node >= 20 and in browsers; the
 * Node-only batch command lives in `@tollgate/client/node`.
 * @module
 */
export { Tollgate, DEFAULT_BASE_URL, type ClientOptions, type RequestOptions, type RequestSpec, type WithResponse } from './client.js';
export { Stream } from './core/stream.js';
export { apiBaseUrl, gatewayRoot, gatewayUrlFromEnv, GATEWAY_URL_ENV, GATEWAY_URL_ENV_ALIAS } from './core/gateway-url.js';
export { SSEDecoder, readSSE, type SSEEvent } from './core/sse.js';
export { RetryBudget, type RetryBudgetOptions } from './core/retry-budget.js';
export { backoffDelayMs, serverRetryDelayMs, type BackoffOptions } from './core/retry-policy.js';
export type { RetryEvent } from './core/send.js';
export {
  TollgateError,
  APIError,
  InvalidRequestError,
  ContextLengthExceededError,
  ModelNotFoundError,
  RequestTooLargeError,
  AuthenticationError,
  PermissionError,
  RateLimitError,
  InsufficientQuotaError,
  ServiceUnavailableError,
  EngineOverloadedError,
  APIConnectionError,
  Timeout,
  APIUserAbortError,
  type ClientErrorKind,
  type RetryStop,
  type SentRequest,
  type WireErrorObject,
  type ErrorInit,
} from './errors/classes.js';
export { errorFromWire, type WireError } from './errors/from-wire.js';
export { findCatalogEntry } from './errors/catalog-match.js';
export { classify, type ClassifyOptions, type ResponseLike } from './errors/classify.js';
export type { Hint } from './errors/hints.js';
export { StatusPageReader, type StatusIncident, type StatusPageOptions } from './errors/status-page.js';
export type { SupportContext, SupportReport } from './errors/support-report.js';
export { Pacer, type PacerLimits, type PacerOptions, type PacerState, type PacerTicket, type BucketState } from './pacing/pacer.js';
export { estimateTokens, type EstimateOptions } from './pacing/estimate.js';
export { pacedFetch, type FetchLike } from './pacing/paced-fetch.js';
export { runBatch, failureCode, type BatchWriter, type BatchProgress, type BatchSummary, type RunBatchOptions } from './batch/run-batch.js';
export type { BatchInputLine, BatchOutputLine } from './batch/jsonl.js';
export type * from './types.js';
export { VERSION } from './version.js';
