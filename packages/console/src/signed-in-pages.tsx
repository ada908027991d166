/**
 * The signed-in pages, in the navigation's order: where each is, its navigation label, who may
 * open it and its component. The navigation (components/Shell.tsx) and the routes (App.tsx) are
 * both made from this one list, so a page's path and role are written once.
 */
import type { ComponentType } from 'react';
import type { MessageKey } from './i18n/messages';
import type { Session } from './session';
import { ApiKeysPage } from './pages/ApiKeys';
import { AuditLogPage } from './pages/AuditLog';
import { LimitsPage } from './pages/Limits';
import { PeoplePage } from './pages/People';
import { ProjectsPage } from './pages/Projects';
import { RequestsPage } from './pages/Requests';
import { UsagePage } from './pages/Usage';
import { AuditLogAdminPage } from './pages/operator/AuditLogAdmin';
import { ModelsPage } from './pages/operator/Models';
import { OrganizationsPage } from './pages/operator/Organizations';
import { QuotaRequestsAdminPage } from './pages/operator/QuotaRequestsAdmin';
import { StatusAdminPage } from './pages/operator/StatusAdmin';

/** Who sees a page: every member, owners only, or the operator. */
export type Who = 'member' | 'owner' | 'operator';

export interface PageEntry {
  to: string;
  label: MessageKey;
  who: Who;
  Page: ComponentType;
  /** A parameter the page also answers under, `to/:param` (the project, organization or request it shows). */
  detail?: string;
}

export const PAGES: readonly PageEntry[] = [
  { to: '/api-keys', label: 'nav.apiKeys', who: 'member', Page: ApiKeysPage },
  { to: '/projects', label: 'nav.projects', who: 'owner', Page: ProjectsPage, detail: ':projectId' },
  { to: '/people', label: 'nav.people', who: 'member', Page: PeoplePage },
  { to: '/limits', label: 'nav.limits', who: 'owner', Page: LimitsPage },
  { to: '/usage', label: 'nav.usage', who: 'owner', Page: UsagePage },
  { to: '/requests', label: 'nav.requests', who: 'member', Page: RequestsPage, detail: ':requestId' },
  { to: '/audit-log', label: 'nav.auditLog', who: 'owner', Page: AuditLogPage },
  { to: '/operator/organizations', label: 'nav.organizations', who: 'operator', Page: OrganizationsPage, detail: ':orgId' },
  { to: '/operator/quota-requests', label: 'nav.quotaRequests', who: 'operator', Page: QuotaRequestsAdminPage },
  { to: '/operator/models', label: 'nav.models', who: 'operator', Page: ModelsPage },
  { to: '/operator/status', label: 'nav.statusPage', who: 'operator', Page: StatusAdminPage },
  { to: '/operator/audit-log', label: 'nav.auditLog', who: 'operator', Page: AuditLogAdminPage },
];

export const canSee = (s: Session, who: Who): boolean =>
  (who === 'member' && s.organization !== null) || (who === 'owner' && s.user.role === 'owner') || (who === 'operator' && s.operator);

/**
 * Where the console goes after switching organization (`s`, the new session): the same page when
 * the viewer may open it there (People stays People), else API keys, which every member has. A
 * page of one object of the organization left (a project, a request) becomes its list; the
 * operator's pages and the account are the viewer's, whichever organization they are in.
 */
export function pageAfterSwitch(pathname: string, s: Session): string {
  if (pathname === '/account') return pathname;
  const page = PAGES.find((p) => pathname === p.to || pathname.startsWith(`${p.to}/`));
  if (!page || !canSee(s, page.who)) return '/api-keys';
  return page.who === 'operator' ? pathname : page.to;
}
