import type { Tollgate, RequestOptions } from '../client.js';
import type { Stream } from '../core/stream.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from '../types.js';

/** `client.chat.completions`: POST /chat/completions, plain or streamed. */
export class ChatCompletions {
  constructor(private readonly client: Tollgate) {}

  create(body: ChatCompletionCreateParams & { stream: true }, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParams & { stream?: false | null | undefined }, options?: RequestOptions): Promise<ChatCompletion>;
  create(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<ChatCompletion | Stream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParams, options: RequestOptions = {}): Promise<ChatCompletion | Stream<ChatCompletionChunk>> {
    return this.client.request<ChatCompletion | ChatCompletionChunk>({ ...options, method: 'POST', path: '/chat/completions', body, stream: body.stream === true }) as Promise<
      ChatCompletion | Stream<ChatCompletionChunk>
    >;
  }
}
