/**
 * An error answer of the admin API: exit code 1. The message adds the error's code and the
 * parameter it names; `note`, when a verb has one, goes first (what the answer means for the
 * options the user gave).
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    note?: string,
  ) {
    const e = errorOf(body);
    const message = typeof e?.message === 'string' ? e.message : `HTTP ${status}`;
    const about = [typeof e?.code === 'string' ? e.code : undefined, typeof e?.param === 'string' ? `param: ${e.param}` : undefined].filter(Boolean);
    super(`${note ? `${note}: ` : ''}${about.length ? `${message} (${about.join('; ')})` : message}`);
    this.name = 'ApiFailure';
  }
}

/** The `error` object of an error answer's body, if it has one. */
export const errorOf = (body: unknown) => (body as { error?: { message?: unknown; code?: unknown; param?: unknown } } | undefined)?.error;

/** The gateway could not be reached: exit code 3. */
export class ConnectFailure extends Error {
  constructor(url: string, cause: unknown) {
    const c = cause as { cause?: { code?: string; message?: string }; message?: string };
    super(`cannot connect to ${url}: ${c?.cause?.code ?? c?.cause?.message ?? c?.message ?? String(cause)}`);
    this.name = 'ConnectFailure';
  }
}

/**
 * Calls an admin API of a running gateway: `/admin/v1` (the operator's) or `/v1/organization`
 * (an organization's), as `prefix` says (apis.ts); paths are relative to it.
 */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly adminKey: string,
    private readonly fetchImpl: typeof fetch,
    private readonly prefix: string,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<any> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${this.prefix}${path}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ConnectFailure(this.baseUrl, e);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { error: { message: `unexpected answer (HTTP ${res.status}): ${text.slice(0, 200)}` } };
    }
    if (!res.ok) throw new ApiFailure(res.status, parsed);
    return parsed;
  }

  /** Every page of a list, following `after`. */
  async all(path: string): Promise<{ object: 'list'; data: { id: string }[]; first_id: string | null; last_id: string | null; has_more: false }> {
    const data: { id: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const page: { data: { id: string }[]; has_more: boolean; last_id: string | null } = await this.request('GET', `${path}${sep}limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      data.push(...page.data);
      if (!page.has_more || !page.last_id) break;
      after = page.last_id;
    }
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
  }
}
