import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { badValue, queryParams } from '../admin/input.js';
import { pageRequest } from '../admin/paging.js';
import type { PageRequest } from '../store/index.js';

export { listBody, listOf } from '../admin/paging.js';

/**
 * The query of a list endpoint: `limit` (1–100, default 20), `after`, the endpoint's own names
 * (each also accepted with `[]`, as the SDK sends arrays), `optional` (read by every GET's
 * wrapper, routes.ts), unknown names refused.
 */
export function listQuery(ctx: RequestContext, own: readonly string[] = []): { q: URLSearchParams; page: PageRequest } {
  const q = queryParams(ctx, ['limit', 'after', 'optional', ...own.flatMap((n) => [n, `${n}[]`])]);
  return { q, page: pageRequest(q) };
}

/** `order`: `asc` or `desc` (default `fallback`). */
export function orderParam(q: URLSearchParams, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  const v = q.get('order');
  if (v === null || v === '') return fallback;
  if (v !== 'asc' && v !== 'desc') throw badValue('order', v, "'asc', 'desc'");
  return v;
}

/** An array parameter: `name[]=a&name[]=b`, `name=a&name=b` or `name=a,b`. */
export function arrayParam(q: URLSearchParams, name: string): string[] | undefined {
  const raw = [...q.getAll(name), ...q.getAll(`${name}[]`)].flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return raw.length === 0 ? undefined : raw;
}

export const notFound = (resource: string, id: string, param?: string) => new ApiError('resource_not_found', { resource, id }, param ? { param } : {});

/** What `lookup` finds; else OpenAI's 404 naming `resource` and `id`. */
export async function found<T>(resource: string, id: string, lookup: Promise<T | undefined>): Promise<T> {
  const x = await lookup;
  if (x === undefined) throw notFound(resource, id);
  return x;
}
