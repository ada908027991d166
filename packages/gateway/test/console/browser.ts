/**
 * A browser's view of the console for tests: one cookie jar, real fetch against a real gateway,
 * the CSRF token from the last Session answer sent on every state change (unless told not to).
 */
import type { TestGateway } from '../support/gateway.js';
export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly base: string) {}

  /** The value of our session cookie as the last Set-Cookie left it. */
  get token(): string | undefined {
    return this.cookie?.split('=')[1];
  }

  async call<T = any>(method: string, path: string, body?: unknown, opts: { csrf?: string | false; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    const r = await fetch(this.base + path, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    for (const c of r.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      if (pair.startsWith('tollgate_session=')) this.cookie = /max-age=0/i.test(c) ? undefined : pair;
    }
    const text = await r.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // HTML pages stay text
    }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrf_token === 'string') this.csrf = parsed.csrf_token;
    return { status: r.status, body: parsed as T, headers: r.headers };
  }

  signIn(email: string, password: string, totp_code?: string): Promise<Answer> {
    return this.call('POST', '/console/api/session', { email, password, ...(totp_code === undefined ? {} : { totp_code }) });
  }
}

/** The test gateway's first owner, given `password` by the operator and signed in. */
export async function ownerSession(gw: TestGateway, password: string): Promise<Browser> {
  const email = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email as string;
  await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password });
  const b = new Browser(gw.url);
  const r = await b.signIn(email, password);
  if (r.status !== 200) throw new Error(`owner sign-in: ${r.status} ${JSON.stringify(r.body)}`);
  return b;
}
