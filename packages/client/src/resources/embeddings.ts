import type { Tollgate, RequestOptions } from '../client.js';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from '../types.js';

/** `client.embeddings`: POST /embeddings. */
export class Embeddings {
  constructor(private readonly client: Tollgate) {}

  create(body: EmbeddingCreateParams, options: RequestOptions = {}): Promise<CreateEmbeddingResponse> {
    return this.client.request<CreateEmbeddingResponse>({ ...options, method: 'POST', path: '/embeddings', body, stream: false });
  }
}
