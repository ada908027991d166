import type { RequestContext } from '../../src/http/context.js';

/** Just enough of a RequestContext for calling Identity directly. */
export function fakeContext(headers: Record<string, string>, clientIp = '192.0.2.1'): RequestContext {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return {
    id: 'req_test',
    start: 0n,
    startedAt: 0,
    req: { headers: lower },
    res: {},
    method: 'POST',
    path: '/v1/chat/completions',
    rawQuery: '',
    params: {},
    headers: {},
    signal: new AbortController().signal,
    clientIp,
  } as unknown as RequestContext;
}

export const bearer = (key: string) => fakeContext({ authorization: `Bearer ${key}` });
