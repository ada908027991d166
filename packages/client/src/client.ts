/**
 * `Tollgate`: the client. Holds the configuration, builds requests, and hands them to the request
 * loop (`core/send.ts`). Resources (`chat.completions`, `embeddings`, ...) are thin wrappers
 * over `request()`.
 * @module
 */
import type { Locale } from '@tollgate/protocol';
import { firstEnv, processEnv } from './core/env.js';
import { apiBaseUrlFromEnv, gatewayRoot } from './core/gateway-url.js';
import { RetryBudget } from './core/retry-budget.js';
import type { BackoffOptions } from './core/retry-policy.js';
import { send, type RetryEvent, type SendConfig, type SendResult } from './core/send.js';
import { Stream } from './core/stream.js';
import { APIError } from './errors/classes.js';
import { StatusPageReader } from './errors/status-page.js';
import type { FetchLike } from './pacing/paced-fetch.js';
import type { Pacer } from './pacing/pacer.js';
import { ChatCompletions } from './resources/chat.js';
import { Completions } from './resources/completions.js';
import { Embeddings } from './resources/embeddings.js';
import { Models } from './resources/models.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080/v1';

export interface ClientOptions {
  /** Defaults to TOLLGATE_API_KEY, then OPENAI_API_KEY (read only where `process` exists). */
  apiKey?: string | undefined;
  /**
   * Defaults to TOLLGATE_URL (or its alias TOLLGATE_BASE_URL; either with or without `/v1`), then
   * OPENAI_BASE_URL, then `http://127.0.0.1:8080/v1`. A value given here is used as is.
   */
  baseURL?: string | undefined;
  /** Sent as `OpenAI-Organization`. */
  organization?: string | undefined;
  /** Sent as `OpenAI-Project`. */
  project?: string | undefined;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /** Per-attempt timeout in ms, until the whole body is read (for a stream: until it starts). Default 600 000. */
  timeout?: number | undefined;
  /** Overall deadline for one call in ms: all attempts, waits and pacing. Default none. */
  totalTimeout?: number | undefined;
  /** The fetch to use. Default the global fetch. */
  fetch?: FetchLike | undefined;
  /** Locale of `error.hint`. Default `en`. */
  locale?: Locale | undefined;
  /** A shared pacer: requests wait for it and feed their responses back to it. */
  pacer?: Pacer | undefined;
  /** The retry budget; `false` disables it. Default: a budget of this client's own. */
  retryBudget?: RetryBudget | false | undefined;
  /** Backoff when the server gives no hint. Default 500 ms doubling to 8 s, full jitter. */
  backoff?: BackoffOptions | undefined;
  /** A server wait hint longer than this (ms) is not waited for; the error is thrown. Default 60 000. */
  maxRetryAfter?: number | undefined;
  /** Called before every retry. */
  onRetry?: ((e: RetryEvent) => void) | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Randomness of the backoff jitter, injectable for tests. */
  random?: (() => number) | undefined;
  /**
   * Read the gateway's status page when a server-side error (5xx, overload, unavailable) is
   * thrown, and attach its open incident to `error.hint.incident`. Default true.
   */
  statusPage?: boolean | undefined;
}

/** Per-call options; they override the client's. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /**
   * Stops the call from sending anything more, without cutting an attempt already sent: it
   * aborts the wait in the pacer and any further retry (the call then fails with
   * APIUserAbortError), while a request already on the wire is answered as usual. The batch
   * runner's Ctrl-C.
   */
  sendSignal?: AbortSignal | undefined;
  timeout?: number | undefined;
  totalTimeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** A pacer for this call; `null` skips the client's pacer. */
  pacer?: Pacer | null | undefined;
  onRetry?: ((e: RetryEvent) => void) | undefined;
}

export interface RequestSpec extends RequestOptions {
  method: string;
  /** Path under the base URL, e.g. `/chat/completions`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  /** Answer as a `Stream` of server-sent events. */
  stream?: boolean | undefined;
}

export interface WithResponse<T> {
  data: T;
  response: Response;
  requestID: string | undefined;
}

export class Tollgate {
  readonly baseURL: string;
  readonly organization: string | undefined;
  readonly project: string | undefined;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly locale: Locale;
  readonly pacer: Pacer | undefined;
  readonly retryBudget: RetryBudget | undefined;

  readonly chat: { completions: ChatCompletions };
  readonly completions: Completions;
  readonly embeddings: Embeddings;
  readonly models: Models;

  // Private so that logging the client never prints the key.
  readonly #apiKey: string;
  readonly #options: ClientOptions;
  readonly #statusPage: StatusPageReader | undefined;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? firstEnv('TOLLGATE_API_KEY', 'OPENAI_API_KEY');
    if (apiKey === undefined) {
      throw new Error('Missing API key: pass `apiKey` to new Tollgate({...}) or set TOLLGATE_API_KEY (or OPENAI_API_KEY).');
    }
    this.#apiKey = apiKey;
    this.#options = options;
    this.baseURL = (options.baseURL ?? apiBaseUrlFromEnv(processEnv()) ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.organization = options.organization;
    this.project = options.project;
    this.maxRetries = options.maxRetries ?? 2;
    this.timeout = options.timeout ?? 600_000;
    this.locale = options.locale ?? 'en';
    this.pacer = options.pacer;
    this.retryBudget = options.retryBudget === false ? undefined : (options.retryBudget ?? new RetryBudget());
    this.#statusPage = options.statusPage === false ? undefined : new StatusPageReader(gatewayRoot(this.baseURL), { fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)) });

    this.chat = { completions: new ChatCompletions(this) };
    this.completions = new Completions(this);
    this.embeddings = new Embeddings(this);
    this.models = new Models(this);
  }

  /** A client with some options changed; it shares the retry budget and pacer unless they are replaced. */
  withOptions(options: ClientOptions): Tollgate {
    return new Tollgate({ ...this.#options, apiKey: this.#apiKey, retryBudget: this.retryBudget ?? false, ...options });
  }

  /** Any API call. Resolves to the parsed JSON body, or to a `Stream` when `stream` is true. */
  request<T = unknown>(spec: RequestSpec & { stream: true }): Promise<Stream<T>>;
  request<T = unknown>(spec: RequestSpec & { stream?: false | undefined }): Promise<T>;
  request<T = unknown>(spec: RequestSpec): Promise<T | Stream<T>>;
  async request<T = unknown>(spec: RequestSpec): Promise<T | Stream<T>> {
    const result = await this.run(spec);
    if (result.kind === 'stream') return new Stream<T>(result.response, result.context);
    return withRequestId(result.data, result.response) as T;
  }

  /** Like `request()` for a JSON answer, but also gives the `Response` (status, headers). */
  async requestWithResponse<T = unknown>(spec: RequestSpec & { stream?: false | undefined }): Promise<WithResponse<T>> {
    const result = await this.run({ ...spec, stream: false });
    if (result.kind === 'stream') throw new Error('unreachable: stream result for a non-stream request');
    return { data: withRequestId(result.data, result.response) as T, response: result.response, requestID: result.response.headers.get('x-request-id') ?? undefined };
  }

  private async run(spec: RequestSpec): Promise<SendResult> {
    try {
      return await this.dispatch(spec);
    } catch (e) {
      if (this.#statusPage && e instanceof APIError && SERVER_SIDE.has(e.kind)) {
        e.statusIncident = await this.#statusPage.incidentFor(e.request?.body && typeof e.request.body === 'object' ? ((e.request.body as { model?: unknown }).model as string | undefined) : undefined, e.headers?.get('x-tollgate-incident'));
      }
      throw e;
    }
  }

  private dispatch(spec: RequestSpec): Promise<SendResult> {
    const o = this.#options;
    const body = spec.body;
    const headers: Record<string, string> = {
      accept: spec.stream ? 'text/event-stream' : 'application/json',
      authorization: `Bearer ${this.#apiKey}`,
      ...(this.organization !== undefined ? { 'openai-organization': this.organization } : {}),
      ...(this.project !== undefined ? { 'openai-project': this.project } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...lower(o.defaultHeaders),
      ...lower(spec.headers),
    };
    const model = body && typeof body === 'object' && typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : undefined;
    const cfg: SendConfig = {
      fetch: o.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      locale: this.locale,
      maxRetries: spec.maxRetries ?? this.maxRetries,
      timeout: spec.timeout ?? this.timeout,
      totalTimeout: spec.totalTimeout ?? o.totalTimeout,
      maxRetryAfter: o.maxRetryAfter ?? 60_000,
      backoff: o.backoff ?? {},
      random: o.random ?? Math.random,
      budget: this.retryBudget,
      pacer: spec.pacer === null ? undefined : (spec.pacer ?? this.pacer),
      onRetry: spec.onRetry ?? o.onRetry,
      signal: spec.signal,
      sendSignal: spec.sendSignal,
    };
    return send(cfg, {
      method: spec.method.toUpperCase(),
      url: this.buildURL(spec.path, spec.query),
      headers,
      body,
      bodyText: body === undefined ? undefined : JSON.stringify(body),
      stream: spec.stream === true,
      model,
    });
  }

  private buildURL(path: string, query: RequestSpec['query']): string {
    const url = `${this.baseURL}/${path.replace(/^\/+/, '')}`;
    if (!query) return url;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return qs ? `${url}?${qs}` : url;
  }
}

/** The kinds of error the guide answers with "check the status page". */
const SERVER_SIDE: ReadonlySet<string> = new Set(['server', 'service_unavailable', 'overloaded', 'timeout']);

function lower(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** Adds `_request_id` (not enumerable, so it stays out of JSON and logs), as the official SDK does. */
function withRequestId(data: unknown, res: Response): unknown {
  if (data && typeof data === 'object') {
    Object.defineProperty(data, '_request_id', { value: res.headers.get('x-request-id') ?? undefined, enumerable: false, configurable: true, writable: true });
  }
  return data;
}
