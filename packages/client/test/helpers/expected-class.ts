import type { CatalogEntry } from '@tollgate/protocol';
import {
  APIError,
  AuthenticationError,
  ContextLengthExceededError,
  EngineOverloadedError,
  InsufficientQuotaError,
  InvalidRequestError,
  ModelNotFoundError,
  PermissionError,
  RateLimitError,
  RequestTooLargeError,
  ServiceUnavailableError,
  type TollgateError,
} from '@tollgate/client';

/**
 * The class each catalog entry must produce, derived from the entry's kind and code
 * independently of the client's own table, so the tests check the table rather than repeat it.
 */
export function expectedClass(e: CatalogEntry): abstract new (...args: never[]) => TollgateError {
  if (e.code === 'context_length_exceeded') return ContextLengthExceededError;
  if (e.id === 'model_not_found') return ModelNotFoundError;
  if (e.id === 'request_too_large' || e.id === 'body_too_large') return RequestTooLargeError;
  switch (e.kind) {
    case 'authentication':
      return AuthenticationError;
    case 'permission':
      return PermissionError;
    case 'invalid_request':
    case 'not_found':
    case 'conflict':
      return InvalidRequestError;
    case 'rate_limit':
      return RateLimitError;
    case 'insufficient_quota':
      return InsufficientQuotaError;
    case 'overloaded':
      return EngineOverloadedError;
    case 'service_unavailable':
    case 'timeout':
      return ServiceUnavailableError;
    case 'server':
      return APIError;
  }
}
