/**
 * The `openai-compatible` engine: any upstream that speaks the OpenAI API, over HTTP, with
 * keep-alive pools, named timeouts, a backpressured stream relay, a table-driven error mapping,
 * a circuit breaker per deployment and retries across deployments before the first byte.
 * @module
 */
export { OpenAICompatibleEngine, type OpenAICompatibleDeps, type DeploymentState } from './engine.js';
export {
  CALLER_STATUSES,
  ERROR_MAP,
  TRANSPORT_ERROR_MAP,
  PASSTHROUGH_HEADERS,
  mapUpstreamError,
  mapTransportError,
  statusOfErrorObject,
  retryHintMs,
  errorObjectOf,
  errorCode,
  type ErrorMapRow,
  type TransportMapRow,
  type UpstreamAction,
  type UpstreamMapping,
  type UpstreamErrorObject,
} from './error-map.js';
export { SseParser, SseEventTooLarge, type SseEvent } from './sse.js';
export { deploymentOrder } from './choose.js';
export { ENDPOINT_PATHS } from './attempt.js';
