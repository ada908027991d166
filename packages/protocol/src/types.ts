/** Request and response shapes of the public API that both sides read. Deliberately partial. */

export type Endpoint = 'chat.completions' | 'completions' | 'embeddings' | 'models';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more?: boolean;
}
