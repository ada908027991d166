import type { Tollgate, RequestOptions } from '../client.js';
import type { Stream } from '../core/stream.js';
import type { Completion, CompletionCreateParams } from '../types.js';

/** `client.completions`: POST /completions (legacy text completions), plain or streamed. */
export class Completions {
  constructor(private readonly client: Tollgate) {}

  create(body: CompletionCreateParams & { stream: true }, options?: RequestOptions): Promise<Stream<Completion>>;
  create(body: CompletionCreateParams & { stream?: false | null | undefined }, options?: RequestOptions): Promise<Completion>;
  create(body: CompletionCreateParams, options?: RequestOptions): Promise<Completion | Stream<Completion>>;
  create(body: CompletionCreateParams, options: RequestOptions = {}): Promise<Completion | Stream<Completion>> {
    return this.client.request<Completion>({ ...options, method: 'POST', path: '/completions', body, stream: body.stream === true });
  }
}
