import type { Usage } from '@tollgate/protocol';
import type { AbortLike } from '../http/abort-latch.js';

/**
 * `responses` calls carry a Responses API body (earlier turns already expanded into `input`,
 * nothing stored upstream) and answer with a `response` object or its typed events.
 */
export type InferenceEndpoint = 'chat.completions' | 'completions' | 'embeddings' | 'responses';

/** One call from the forward stage to an engine (the in-process simulator or an HTTP upstream). */
export interface EngineCall {
  endpoint: InferenceEndpoint;
  /**
   * The validated request body, with `model` already set to the engine's model name. For a
   * stream the gateway has set `stream_options.include_usage: true` so that usage can be settled
   * (an HTTP deployment may leave the field out: its `stream_usage`); `clientWantsUsage` says
   * whether the client asked for the usage chunk.
   */
  body: Record<string, unknown>;
  stream: boolean;
  clientWantsUsage: boolean;
  requestId: string;
  /** Aborted when the client disconnects or a deadline passes: the engine stops work at once. */
  signal: AbortLike;
  /** A catalog id from `x-tollgate-fault`, passed only when the config allows the header. */
  fault?: string;
  /**
   * Told the `x-request-id` of every HTTP upstream answer to this call (error answers too, each
   * retry and fallback in turn), so the usage ledger can name the upstream's request. Must not throw.
   */
  onUpstreamRequestId?(id: string): void;
}

export type EngineResult =
  | { kind: 'json'; body: Record<string, unknown>; usage: Usage | undefined }
  | {
      kind: 'stream';
      /**
       * Parsed chunk objects in order (the usage chunk included, `choices: []`). An error after
       * the first chunk is thrown from the iterator as an ApiError.
       */
      chunks: AsyncIterable<Record<string, unknown>>;
    };

/**
 * An engine serves inference calls. Errors before any output are thrown (ApiError for catalog
 * errors, UpstreamHttpError for an HTTP upstream's error response before mapping).
 */
export interface Engine {
  readonly name: string;
  call(call: EngineCall): Promise<EngineResult>;
  close?(): Promise<void>;
}
