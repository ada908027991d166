/**
 * The shape of one catalog entry: everything either side of the wire needs to know about an error.
 * @module
 */
import type { ErrorId } from './catalog/index.js';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** The area of the system an error belongs to; groups the docs page. */
export type ErrorGroup =
  | 'authentication'
  | 'permission'
  | 'request'
  | 'rate_limit'
  | 'quota'
  | 'overload'
  | 'upstream'
  | 'server'
  | 'admin';

/** What a client should do with the error: the client SDK picks its class from this. */
export type ErrorKind =
  | 'authentication'
  | 'permission'
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'rate_limit'
  | 'insufficient_quota'
  | 'overloaded'
  | 'service_unavailable'
  | 'timeout'
  | 'server';

/** One entry as the catalog files write it: an object literal keyed by its id. */
export interface EntrySpec {
  readonly group: ErrorGroup;
  readonly kind: ErrorKind;
  readonly status: number;
  /** OpenAI's `type` field. */
  readonly type: string;
  /** OpenAI's `code` field (null where OpenAI sends null). */
  readonly code: string | null;
  /**
   * The `param` sent when the renderer is not given one: null, or a fixed name
   * (context length errors name `messages`).
   */
  readonly param: string | null;
  /**
   * Message template. `{name}` is replaced by the render variable `name`; `{docs_url}` by this
   * gateway's error docs page, `{console_url}` by its web console's root. Wording follows OpenAI's
   * byte for byte apart from the URLs: where OpenAI links a page of its platform (API keys, rate
   * limits) the message links the console page that does the same; where it links its docs or
   * help center, the error docs.
   */
  readonly message: string;
  /** Whether sending the same request again can succeed. Drives `x-should-retry` and the client. */
  readonly retryable: boolean;
  /**
   * Whether another model (one of the requested model's `fallbacks`) may succeed where this
   * error's engine failed: overload, upstream and server failures of the engine, never the
   * caller's mistakes, limits or quota, nor this gateway's own state (shutting down, its store).
   */
  readonly fallback: boolean;
  readonly title: Readonly<Record<Locale, string>>;
  readonly cause: Readonly<Record<Locale, string>>;
  readonly fix: Readonly<Record<Locale, string>>;
}

export interface CatalogEntry extends EntrySpec {
  /** Stable id; never reused for another meaning. Also the docs anchor and the fault-header value. */
  readonly id: ErrorId;
}

/** The JSON body of every error response: all four keys always present. */
export interface ErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}
