/**
 * The operator's side of every test server: one admin key, calls to the Administration API
 * (`/admin/v1`), and tenants (an organization with a member and an API key, optionally an
 * organization admin key) made through it, as an operator would make them.
 */
import { randomBytes } from 'node:crypto';

/** The admin key every test server is started with (`TOLLGATE_ADMIN_KEY`). */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123';

/** A server under test: its base URL (`http://127.0.0.1:port`). */
export interface Target {
  url: string;
}

export interface Answer<T = any> {
  status: number;
  /** The parsed JSON body; undefined when empty. */
  body: T;
  headers: Headers;
}

/**
 * Calls `${target.url}${path}` with the admin key (`key: null` sends none). An object body is
 * sent as JSON; a string body is sent as it is (for malformed-JSON tests).
 */
export async function call<T = any>(target: Target, method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(target.url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Calls the Administration API: `path` is under `/admin/v1`. */
export function admin(target: Target, method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY): Promise<Answer> {
  return call(target, method, `/admin/v1${path}`, body, key);
}

/** Like `admin`, but fails the test unless the answer is 200; returns the body. */
export async function adminOk(target: Target, method: string, path: string, body?: unknown): Promise<any> {
  const r = await admin(target, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface TenantOptions {
  /** Names the organization and the user; the key is `${name} key`. Default `test`. */
  name?: string;
  tier?: string;
  /** The member's role in the organization (default owner). */
  role?: 'owner' | 'member' | 'reader';
  permissions?: string;
  scopes?: string[];
  /** Key expiry, Unix seconds. */
  expires_at?: number;
  /** Also make an organization admin key (`POST /admin/v1/organizations/{id}/admin_api_keys`). */
  adminKey?: boolean;
}

export interface Tenant {
  orgId: string;
  userId: string;
  keyId: string;
  /** The API key's secret, shown once at creation. */
  apiKey: string;
  /** With `adminKey: true`: the organization admin key's secret and id. */
  adminKey?: string;
  adminKeyId?: string;
}

/** An organization with one member and an API key for that member, made through the admin API. */
export async function newTenant(target: Target, opts: TenantOptions = {}): Promise<Tenant> {
  const name = opts.name ?? 'test';
  const org = await adminOk(target, 'POST', '/organizations', { name, ...(opts.tier ? { tier: opts.tier } : {}) });
  const user = await adminOk(target, 'POST', '/users', { email: `${name.replace(/\W/g, '') || 'user'}-${randomBytes(6).toString('hex')}@test.local`, name });
  await adminOk(target, 'POST', `/organizations/${org.id}/members`, { user_id: user.id, role: opts.role ?? 'owner' });
  const key = await adminOk(target, 'POST', '/keys', {
    organization_id: org.id,
    user_id: user.id,
    name: `${name} key`,
    ...(opts.permissions ? { permissions: opts.permissions } : {}),
    ...(opts.scopes ? { scopes: opts.scopes } : {}),
    ...(opts.expires_at ? { expires_at: opts.expires_at } : {}),
  });
  const tenant: Tenant = { orgId: org.id, userId: user.id, keyId: key.id, apiKey: key.key };
  if (opts.adminKey) {
    const k = await adminOk(target, 'POST', `/organizations/${org.id}/admin_api_keys`, { name: `${name} admin` });
    tenant.adminKey = k.value;
    tenant.adminKeyId = k.id;
  }
  return tenant;
}
