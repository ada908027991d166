/**
 * Helpers for driving the client against the real gateway: a `fetch` that counts what it sends and
 * what comes back (so "attempts that reached the server" is measured on the wire, not taken from
 * the error's own `attempts`), and a closed port for connection-refused tests.
 */
import { createServer } from 'node:net';
import type { FetchLike } from '@tollgate/client';

export interface CountingFetch {
  fetch: FetchLike;
  /** fetch calls made (attempts that left the client). */
  readonly calls: number;
  /** calls that got an HTTP response (attempts that reached the server and were answered). */
  readonly responses: number;
  /** `x-stainless-retry-count` of each call, in order. */
  readonly retryCounts: string[];
  /** `x-request-id` of each response, in order. */
  readonly requestIds: string[];
}

export function countingFetch(): CountingFetch {
  let calls = 0;
  let responses = 0;
  const retryCounts: string[] = [];
  const requestIds: string[] = [];
  const fetch: FetchLike = async (input, init) => {
    calls++;
    retryCounts.push(new Headers(init?.headers).get('x-stainless-retry-count') ?? '');
    const res = await globalThis.fetch(input, init);
    responses++;
    requestIds.push(res.headers.get('x-request-id') ?? '');
    return res;
  };
  return {
    fetch,
    get calls() {
      return calls;
    },
    get responses() {
      return responses;
    },
    retryCounts,
    requestIds,
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const CHAT = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Hello' }], max_tokens: 8 };
