import { ApiError } from '../errors/api-error.js';
import type { Page, PageRequest } from '../store/index.js';
import { queryInteger } from './input.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `limit` (1..100, default 20) and `after` from the query string. */
export function pageRequest(q: URLSearchParams): PageRequest {
  const limit = queryInteger(q, 'limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
  const after = q.get('after');
  return after === null || after === '' ? { limit } : { limit, after };
}

/**
 * A page in OpenAI's list shape. An `after` that names nothing is a 404 on that id, so a script
 * paging with a stale cursor hears about it instead of seeing an empty list.
 */
export function listBody<T>(page: Page<T>, req: PageRequest, resource: string, toObject: (x: T) => { id: string }): unknown {
  if (!page.cursorFound) throw new ApiError('resource_not_found', { resource, id: req.after ?? '' }, { param: 'after' });
  const data = page.items.map(toObject);
  return listOf(data, page.hasMore);
}

export function listOf(data: { id: string }[], hasMore: boolean): unknown {
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}
