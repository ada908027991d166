/** Shapes of the operator's /admin/v1 objects the operator pages read, as the gateway serves them. */
import { api, listPage, type ListPage } from './api';

export const ADMIN = 'admin/v1';

export interface AdminOrganization {
  id: string;
  name: string;
  tier: string;
  created_at: number;
  owner?: { id: string; email: string; name: string };
}

export interface OrgBilling {
  organization_id: string;
  /** The hard limit the operator approved (what PUT …/billing and quota approvals set). */
  hard_limit_usd: number | null;
  /** The organization's own spend limit, and the lower of the two (absent from gateways before them). */
  spend_limit_usd?: number | null;
  enforced_hard_limit_usd?: number | null;
  soft_limit_usd: number | null;
  period: string;
  spent_usd: number;
}

export interface Tier {
  id: string;
  default: boolean;
}

export const orgPath = (orgId: string, rest = ''): string => `${ADMIN}/organizations/${encodeURIComponent(orgId)}${rest}`;

export const listTiers = async (): Promise<Tier[]> => (await api<ListPage<Tier & { id: string }>>('GET', `${ADMIN}/tiers`)).data;

/** A page of organizations as they are (no billing): one request. */
export const organizationNamesPage = (after: string | undefined, limit = 100): Promise<ListPage<AdminOrganization>> => listPage<AdminOrganization>(`${ADMIN}/organizations`, limit, after);

/** A page of organizations, each with this month's spend and limits. */
export async function organizationsPage(after: string | undefined, limit = 20): Promise<ListPage<AdminOrganization & { billing: OrgBilling | null }>> {
  const page = await organizationNamesPage(after, limit);
  const data = await Promise.all(page.data.map(async (o) => ({ ...o, billing: await api<OrgBilling>('GET', orgPath(o.id, '/billing')).catch(() => null) })));
  return { ...page, data };
}
