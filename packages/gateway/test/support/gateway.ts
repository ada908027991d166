/**
 * Starts a real gateway in this process on a free port, with an in-memory SQLite store (or the
 * given database/Redis), and creates an organization, a user and an API key through the admin API.
 */
import { Writable } from 'node:stream';
import { createGateway, type Gateway, type GatewayDeps, parseConfig } from 'tollgate';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123';
export const PUBLIC_URL = 'http://gateway.test';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  baseURL: string;
  apiKey: string;
  orgId: string;
  userId: string;
  keyId: string;
  logs: () => string;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Creates another organization with a member and a key. */
  newTenant(name: string, opts?: { tier?: string }): Promise<{ orgId: string; userId: string; apiKey: string; keyId: string }>;
  close(): Promise<void>;
}

export async function startTestGateway(doc: Record<string, unknown> = {}, deps: GatewayDeps = {}): Promise<TestGateway> {
  const env = { TOLLGATE_ADMIN_KEY: ADMIN_KEY, ...(deps.env ?? {}) };
  const config = parseConfig(
    {
      server: { host: '127.0.0.1', port: 0, public_url: PUBLIC_URL, shutdown_grace_ms: 2000 },
      database: { url: 'sqlite::memory:' },
      logging: { level: 'info' },
      simulator: { allow_fault_header: true },
      default_tier: 'unlimited',
      ...doc,
    },
    env,
  );
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const gateway = await createGateway(config, { ...deps, env, logDestination: sink });
  const url = await gateway.listen(0, '127.0.0.1');
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const newTenant = async (name: string, opts: { tier?: string } = {}) => {
    const org = await admin('POST', '/admin/v1/organizations', { name, ...(opts.tier ? { tier: opts.tier } : {}) });
    if (org.status !== 200) throw new Error(`create org: ${JSON.stringify(org.body)}`);
    const user = await admin('POST', '/admin/v1/users', { email: `${name.replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}@test.local`, name });
    await admin('POST', `/admin/v1/organizations/${org.body.id}/members`, { user_id: user.body.id, role: 'owner' });
    const key = await admin('POST', '/admin/v1/keys', { organization_id: org.body.id, user_id: user.body.id, name: `${name} key` });
    if (key.status !== 200) throw new Error(`create key: ${JSON.stringify(key.body)}`);
    return { orgId: org.body.id as string, userId: user.body.id as string, apiKey: key.body.key as string, keyId: key.body.id as string };
  };
  const first = await newTenant('test-org');
  return {
    gateway,
    url,
    baseURL: `${url}/v1`,
    ...first,
    logs: () => logText,
    admin,
    newTenant,
    close: () => gateway.close(),
  };
}
