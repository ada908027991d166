/**
 * The frame of every signed-in page: a skip link, the header (organization, viewer, language,
 * sign out), the navigation for the viewer's role with a link to the public status page, and the
 * page itself in <main>, where keyboard focus is kept when what had it goes away (use-kept-focus.ts).
 * A signed-out visitor is sent to /login and comes back to the page they asked for after signing in.
 */
import { useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useI18n } from '../i18n/i18n';
import { underBase } from '../lib/base';
import { canSee, PAGES, type PageEntry, type Who } from '../signed-in-pages';
import { useSession } from '../session';
import { LanguageSwitch } from './LanguageSwitch';
import { useKeptFocus } from './use-kept-focus';
import { NoOrganization } from './NoOrganization';
import { OrganizationSwitch } from './OrganizationSwitch';
import { Loading, PageTitle } from './ui';

export function Shell() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const location = useLocation();
  const [main, setMain] = useState<HTMLElement | null>(null);
  useKeptFocus(main);
  if (session === undefined) return <Loading />;
  if (session === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  const items = PAGES.filter((n) => canSee(session, n.who));
  // The operator's pages under their own heading: an operator who is also a member sees two
  // "Audit log" links, the organization's and every organization's.
  const memberItems = items.filter((n) => n.who !== 'operator');
  const operatorItems = items.filter((n) => n.who === 'operator');
  // Removed from their only organization and no operator: no page of the console is theirs.
  const orphan = session.organization === null && !session.operator;
  // The organization's name; an operator outside any organization is labelled as the operator, anyone else not at all.
  const org = session.organization?.name ?? (session.operator ? t('nav.operator') : null);
  return (
    <div className={orphan ? 'shell bare' : 'shell'}>
      <a className="skip" href="#main">
        {t('common.skip')}
      </a>
      <header className="topbar">
        <span className="brand">Tollgate</span>
        {org === null ? null : <OrganizationSwitch session={session} name={org} />}
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
      {orphan ? null : (
        <nav className="sidenav" aria-label={t('nav.label')}>
          <NavList pages={memberItems} />
          {operatorItems.length > 0 ? (
            <>
              <p className="nav-heading" id="nav-operator">
                {t('nav.operator')}
              </p>
              <NavList pages={operatorItems} labelledBy="nav-operator" />
            </>
          ) : null}
          <ul className="nav-account">
            <li>
              <NavLink to="/account">{t('nav.account')}</NavLink>
            </li>
            <li>
              {/* The public status page (served by the gateway, not a console route): where the
                  error guide sends anyone whose requests fail on the platform's side. */}
              <a href={underBase('status')} data-leaves-console="">
                {t('nav.serviceStatus')}
              </a>
            </li>
          </ul>
        </nav>
      )}
      <main id="main" className="content" tabIndex={-1} ref={setMain}>
        {/* Keyed by the organization: a switch that stays on the page (OrganizationSwitch) reads it again, for the new organization. */}
        {orphan ? <NoOrganization /> : <Outlet key={session.organization?.id ?? ''} />}
      </main>
    </div>
  );
}

function NavList({ pages, labelledBy }: { pages: readonly PageEntry[]; labelledBy?: string }) {
  const { t } = useI18n();
  return (
    <ul aria-labelledby={labelledBy}>
      {pages.map((n) => (
        <li key={n.to}>
          <NavLink to={n.to}>{t(n.label)}</NavLink>
        </li>
      ))}
    </ul>
  );
}

/**
 * A page for members, owners or the operator; anyone else is told so instead of seeing a broken
 * page: a viewer in no organization that they belong to none, one whose role falls short that it does.
 */
export function RequireRole({ who, children }: { who: Who; children: React.ReactNode }) {
  const { t } = useI18n();
  const { session } = useSession();
  if (session && who !== 'operator' && session.organization === null) return <NoOrganization />;
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
