/**
 * An organization's members for the operator (GET /admin/v1/organizations/{id}/members), and
 * setting one's password (POST /admin/v1/users/{user_id}/password) so that the first owner made
 * with the organization can sign in; it ends that user's sessions.
 */
import { useState } from 'react';
import { DataTable, ErrorNote, RowAction } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { useI18n } from '../../../i18n/i18n';
import { api, type ListPage } from '../../../lib/api';
import { ADMIN, orgPath } from '../../../lib/admin-api';
import { PasswordFields, useNewPasswordForm } from '../../password-fields';

interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
}

export function OrganizationMembers({ orgId }: { orgId: string }) {
  const { t } = useI18n();
  const members = useLoad(async () => (await api<ListPage<Member>>('GET', orgPath(orgId, '/members?limit=100'))).data, [orgId]);
  const [chosen, setChosen] = useState<Member>();
  const [done, setDone] = useState<string>();
  const form = useNewPasswordForm(async (f, el) => {
    await api('POST', `${ADMIN}/users/${encodeURIComponent(chosen!.id)}/password`, { password: String(f.get('password')) });
    setDone(chosen!.email);
    setChosen(undefined);
    el.reset();
  });
  return (
    <section aria-labelledby="org-members">
      <h3 id="org-members">{t('people.members')}</h3>
      <ErrorNote error={members.error} />
      {members.data ? (
        <DataTable headers={[t('common.name'), t('common.email'), t('common.role')]} actions>
          {members.data.map((m) => (
            <tr key={m.id} data-user-id={m.id}>
              <td translate="no">{m.name}</td>
              <td>{m.email}</td>
              <td>{t(m.role === 'owner' ? 'role.owner' : 'role.reader')}</td>
              <td>
                <RowAction label={t('orgs.setPassword')} ariaLabel={t('orgs.setPasswordOf', { email: m.email })} onClick={() => (setDone(undefined), setChosen(m))} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {chosen ? (
        <form className="narrow-form" onSubmit={form.onSubmit} aria-label={t('orgs.setPasswordOf', { email: chosen.email })}>
          <p>{t('orgs.setPasswordOf', { email: chosen.email })}</p>
          <PasswordFields mismatch={form.mismatch} />
          <button type="submit" disabled={form.busy}>
            {t('orgs.setPassword')}
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setChosen(undefined)}>
            {t('common.cancel')}
          </button>
          <ErrorNote error={form.error} />
        </form>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {t('orgs.passwordSet', { email: done })}
        </p>
      ) : null}
    </section>
  );
}
