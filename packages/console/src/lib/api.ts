/**
 * The one HTTP client of the console. It calls the same endpoints the SDK does
 * (/v1/organization/*, /admin/v1/*) plus /console/api/*, with the session cookie; every state
 * change carries the session's CSRF token in `X-CSRF-Token`. Errors arrive in OpenAI's envelope
 * `{error: {message, type, code, param}}` and are thrown as {@link ApiError}.
 */
import { underBase } from './base';

let csrfToken: string | undefined;
let language = 'en';
let sessionChanged: (() => void) | undefined;

/**
 * Called when an answer says the session is not what the console thinks (401 `not_signed_in`:
 * it ended; 401 `no_organization`: its organization is gone), so the session is read again and the
 * console shows sign-in or the no-organization page instead of the API's error on every section.
 */
export function onSessionChanged(listener: (() => void) | undefined): void {
  sessionChanged = listener;
}

/** Set from the session: sent on every non-GET request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The viewer's chosen language, so catalog error messages come back in it. */
export function setApiLanguage(lang: string): void {
  language = lang;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly type: string | null,
    readonly param: string | null,
  ) {
    super(message);
  }
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more: boolean;
}

/** Calls `path` (relative to the base path, e.g. "v1/organization/projects"). */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(underBase(path), {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const e = (json as { error?: { message?: string; code?: string; type?: string; param?: string } } | undefined)?.error;
    if (res.status === 401 && (e?.code === 'no_organization' || e?.code === 'not_signed_in')) sessionChanged?.();
    throw new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.code ?? null, e?.type ?? null, e?.param ?? null);
  }
  return json as T;
}

/**
 * Reads what may not exist, where "none" is an answer, not a failure (no spend limit set, a key
 * since revoked, a request id that names nothing, nobody signed in): null then. Asked with
 * `optional=true`, which the gateway answers 204 where the plain read is a 404 (or the session's
 * 401), so the browser logs no failed request for it.
 */
export async function getOptional<T>(path: string): Promise<T | null> {
  const sep = path.includes('?') ? '&' : '?';
  return (await api<T | undefined>('GET', `${path}${sep}optional=true`)) ?? null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One page of an OpenAI-style list: `limit` items after the id `after` (from the start without it). */
export function listPage<T>(path: string, limit: number, after?: string): Promise<ListPage<T>> {
  const sep = path.includes('?') ? '&' : '?';
  return api<ListPage<T>>('GET', `${path}${sep}limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
}

/** Every page of an OpenAI-style list (`limit`, `after`), for lists a person pages through on screen. */
export async function listAll<T extends { id: string }>(path: string, max = 1000): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listPage<T>(path, 100, after);
    out.push(...page.data);
    if (!page.has_more || page.data.length === 0 || out.length >= max) return out;
    after = page.last_id ?? page.data[page.data.length - 1]!.id;
  }
}
