/**
 * The frame of every signed-in page: a skip link, the header (organization, viewer, language,
 * sign out), the navigation for the viewer's role, and the page itself in <main>. A signed-out
 * visitor is sent to /login and comes back to the page they asked for after signing in.
 */
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { useSession, type Session } from '../session';
import { LanguageSwitch } from './LanguageSwitch';
import { Loading, PageTitle } from './ui';

interface NavItem {
  to: string;
  label: MessageKey;
  /** Who sees it: every member, owners only, or the operator. */
  who: 'member' | 'owner' | 'operator';
}

export const NAV: readonly NavItem[] = [
  { to: '/api-keys', label: 'nav.apiKeys', who: 'member' },
  { to: '/projects', label: 'nav.projects', who: 'owner' },
  { to: '/people', label: 'nav.people', who: 'owner' },
  { to: '/limits', label: 'nav.limits', who: 'owner' },
  { to: '/usage', label: 'nav.usage', who: 'owner' },
  { to: '/requests', label: 'nav.requests', who: 'member' },
  { to: '/audit-log', label: 'nav.auditLog', who: 'owner' },
  { to: '/operator/organizations', label: 'nav.organizations', who: 'operator' },
  { to: '/operator/quota-requests', label: 'nav.quotaRequests', who: 'operator' },
  { to: '/operator/models', label: 'nav.models', who: 'operator' },
  { to: '/operator/status', label: 'nav.statusPage', who: 'operator' },
  { to: '/operator/audit-log', label: 'nav.auditLog', who: 'operator' },
];

export const canSee = (s: Session, who: NavItem['who']): boolean =>
  (who === 'member' && s.organization !== null) || (who === 'owner' && s.user.role === 'owner') || (who === 'operator' && s.operator);

export function Shell() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const location = useLocation();
  if (session === undefined) return <Loading />;
  if (session === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  const items = NAV.filter((n) => canSee(session, n.who));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('common.skip')}
      </a>
      <header className="topbar">
        <span className="brand">Tollgate</span>
        <span className="org" title={t('common.organization')}>
          {session.organization?.name ?? t('nav.operator')}
        </span>
        <span className="spacer" />
        <LanguageSwitch />
        <span className="who">
          {session.user.email}
          {session.user.role ? ` · ${t(session.user.role === 'owner' ? 'role.owner' : 'role.reader')}` : ''}
        </span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </header>
      <nav className="sidenav" aria-label={t('nav.label')}>
        <ul>
          {items.map((n) => (
            <li key={n.to}>
              <NavLink to={n.to}>{t(n.label)}</NavLink>
            </li>
          ))}
          <li>
            <NavLink to="/account">{t('nav.account')}</NavLink>
          </li>
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** A page an owner (or the operator) may open; anyone else is told so instead of seeing a broken page. */
export function RequireRole({ who, children }: { who: NavItem['who']; children: React.ReactNode }) {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session || !canSee(session, who)) {
    // A heading like every page's, so a screen reader's list of headings says where the viewer is.
    return (
      <>
        <PageTitle title={t('error.forbiddenTitle')} />
        <p className="error" role="alert">
          {t('error.forbiddenPage')}
        </p>
      </>
    );
  }
  return <>{children}</>;
}
