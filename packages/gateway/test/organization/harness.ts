/**
 * A real gateway with two organizations, each with an owner, an API key and an admin key made by
 * the operator, and an official-SDK admin client per organization.
 */
import OpenAI from 'openai';
import { rejection as rejectionOf } from '../support/rejection.js';
import type { GatewayDeps } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

export interface Tenant {
  orgId: string;
  userId: string;
  apiKey: string;
  keyId: string;
  adminKey: string;
  adminKeyId: string;
  /** `client.admin.organization` of this tenant's admin key. */
  org: OpenAI['admin']['organization'];
  /** An inference client with the tenant's API key. */
  inference: OpenAI;
}

export interface OrgHarness {
  gw: TestGateway;
  a: Tenant;
  b: Tenant;
  tenant(name: string): Promise<Tenant>;
  close(): Promise<void>;
}

export async function startOrgHarness(doc: Record<string, unknown> = {}, deps: GatewayDeps = {}): Promise<OrgHarness> {
  const gw = await startTestGateway(doc, deps);
  const tenant = async (name: string): Promise<Tenant> => {
    const t = await gw.newTenant(name);
    const k = await gw.admin('POST', `/admin/v1/organizations/${t.orgId}/admin_api_keys`, { name: `${name} admin` });
    if (k.status !== 200) throw new Error(`admin key: ${JSON.stringify(k.body)}`);
    const client = new OpenAI({ adminAPIKey: k.body.value, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 });
    return { ...t, adminKey: k.body.value, adminKeyId: k.body.id, org: client.admin.organization, inference: new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 }) };
  };
  const a = await tenant('alpha');
  const b = await tenant('beta');
  return { gw, a, b, tenant, close: () => gw.close() };
}

/** The rejection of `p` (fails the test when it resolves), typed loosely for the SDK's error classes. */
export const rejection = (p: Promise<unknown>): Promise<any> => rejectionOf(p);
