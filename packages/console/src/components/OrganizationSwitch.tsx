/**
 * The organization the console shows, in the header. A member of one organization sees its
 * name; a member of several (an invite from another organization accepted) chooses another one
 * and presses Switch (a button, not the select's change: moving through the options with the
 * keyboard must not switch at each step). Switching starts a new session in that organization
 * (POST /console/api/session/organization) and stays on the page the viewer was on when they may
 * open it in that organization too, else opens the API keys page, which every member has
 * (pageAfterSwitch).
 */
import { type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { useSession, type Session } from '../session';
import { pageAfterSwitch } from '../signed-in-pages';
import { useAction } from './use-action';
import { useLoad } from './use-load';
import { ErrorNote } from './ui';

interface MyOrganization {
  id: string;
  name: string;
}

export function OrganizationSwitch({ session, name }: { session: Session; name: string }) {
  const { t } = useI18n();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const current = session.organization?.id ?? '';
  const mine = useLoad(() => api<{ data: MyOrganization[] }>('GET', 'console/api/organizations'), [session.user.id, current]);
  const change = useAction();
  const orgs = mine.data?.data ?? [];
  if (orgs.length < 2 || !orgs.some((o) => o.id === current)) {
    return (
      <span className="org" title={t('common.organization')}>
        {name}
      </span>
    );
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const chosen = String(new FormData(e.currentTarget).get('organization_id'));
    if (chosen === current) return;
    void change.run(async () => {
      const next = await api<Session>('POST', 'console/api/session/organization', { organization_id: chosen });
      signedIn(next);
      void navigate(pageAfterSwitch(pathname, next));
    });
  };
  return (
    <form className="org-switch" onSubmit={submit}>
      <select name="organization_id" aria-label={t('common.organization')} defaultValue={current} key={current}>
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>{' '}
      <button type="submit" className="secondary" disabled={change.busy}>
        {t('nav.switchOrganization')}
      </button>
      <ErrorNote error={change.error} />
    </form>
  );
}
