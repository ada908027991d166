/**
 * The shared test gateway with two organizations, each with an owner, an API key and an admin key
 * made by the operator (support/admin.ts), and official-SDK clients per organization.
 */
import OpenAI from 'openai';
import { rejection as rejectionOf } from '../support/rejection.js';
import type { Tenant as BaseTenant } from '../support/admin.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';

export interface Tenant extends BaseTenant {
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

export async function startOrgHarness(doc: Record<string, unknown> = {}, opts: TestGatewayOptions = {}): Promise<OrgHarness> {
  const gw = await startTestGateway(doc, opts);
  const tenant = async (name: string): Promise<Tenant> => {
    const t = await gw.newTenant(name, { adminKey: true });
    const adminKey = t.adminKey!;
    const client = new OpenAI({ adminAPIKey: adminKey, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 });
    return { ...t, adminKey, adminKeyId: t.adminKeyId!, org: client.admin.organization, inference: new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 }) };
  };
  const a = await tenant('alpha');
  const b = await tenant('beta');
  return { gw, a, b, tenant, close: () => gw.close() };
}

/** The rejection of `p` (fails the test when it resolves), typed loosely for the SDK's error classes. */
export const rejection = (p: Promise<unknown>): Promise<any> => rejectionOf(p);
