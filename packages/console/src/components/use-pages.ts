/**
 * Server-side paging through an OpenAI-style list (`limit`, `after`, `has_more`, `last_id`): the
 * page on screen is the only one loaded. Going back re-reads the previous page from its cursor.
 * A change of `query` (filters) starts again at the first page.
 */
import { useState } from 'react';
import type { ListPage } from '../lib/api';
import { useLoad, type Loaded } from './use-load';

export interface Pages<T> extends Loaded<ListPage<T>> {
  /** 1 for the first page. */
  number: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous(): void;
  next(): void;
  /** Back to the first page, read again (after a change that puts something new first). */
  first(): void;
}

export function usePages<T extends { id: string }>(load: (after: string | undefined) => Promise<ListPage<T>>, query: string): Pages<T> {
  const [state, setState] = useState<{ query: string; cursors: (string | undefined)[] }>({ query, cursors: [undefined] });
  const cursors = state.query === query ? state.cursors : [undefined];
  const after = cursors[cursors.length - 1];
  const page = useLoad(() => load(after), [query, after]);
  const next = () => {
    const last = page.data?.last_id ?? page.data?.data.at(-1)?.id;
    if (last) setState({ query, cursors: [...cursors, last] });
  };
  const previous = () => setState({ query, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors });
  const first = () => (cursors.length > 1 ? setState({ query, cursors: [undefined] }) : page.reload());
  return { ...page, number: cursors.length, hasPrevious: cursors.length > 1, hasNext: page.data?.has_more === true, previous, next, first };
}
