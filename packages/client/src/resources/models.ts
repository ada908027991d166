import type { Tollgate, RequestOptions } from '../client.js';
import type { ListObject, Model } from '../types.js';

/** `client.models`: GET /models and GET /models/{id}. */
export class Models {
  constructor(private readonly client: Tollgate) {}

  list(options: RequestOptions = {}): Promise<ListObject<Model>> {
    return this.client.request<ListObject<Model>>({ ...options, method: 'GET', path: '/models', stream: false });
  }

  retrieve(id: string, options: RequestOptions = {}): Promise<Model> {
    return this.client.request<Model>({ ...options, method: 'GET', path: `/models/${encodeURIComponent(id)}`, stream: false });
  }
}
