/** The list verbs' paging: `--limit`/`--after` for one page, `--all` for every page. */
import type { FlagSpec } from '../args.js';
import type { Args, Output } from '../command.js';
import type { AdminClient } from './client.js';

type Obj = Record<string, any>;
interface ListBody {
  data: Obj[];
  has_more: boolean;
  last_id: string | null;
}

export const PAGING: Record<string, FlagSpec> = {
  limit: { value: true, placeholder: 'N', help: 'page size, 1..100 (default 20)' },
  after: { value: true, placeholder: 'ID', help: 'start after this id (from a previous page)' },
  all: { value: false, help: 'follow every page' },
};

/** GET `path` (with `extraQuery` and the paging options); `render` makes the human table of the rows. */
export async function list(api: AdminClient, a: Args, path: string, render: (rows: Obj[]) => string, extraQuery = ''): Promise<Output> {
  const join = (q: string) => [extraQuery, q].filter(Boolean).join('&');
  const body: ListBody = a.on('all') ? await api.all(extraQuery ? `${path}?${extraQuery}` : path) : await api.request('GET', `${path}${join(a.paging()) ? `?${join(a.paging())}` : ''}`);
  const more = body.has_more ? `more: --after ${body.last_id}\n` : '';
  return { json: body, human: render(body.data) + more };
}
