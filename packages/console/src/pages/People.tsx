/**
 * People: invite someone (email, organization role, projects) and get the invite link to pass
 * on; pending invites with their expiry (cancel one); members with their role (change it) and
 * removal (asked first in a dialog), both effective at once. The organization keeps an owner:
 * the gateway refuses to demote or remove its last one, so that member's role is shown fixed,
 * with the reason. A reader (as OpenAI's Reader) sees the members and pending invites and invites
 * readers, into the Default project or projects of their own (what the gateway lets a reader
 * invite); the rest is the owners', like the API behind it.
 */
import { useConfirmation } from '../components/ConfirmDialog';
import { DataTable, ErrorNote, Loading, PageTitle, RowAction } from '../components/ui';
import { useAction } from '../components/use-action';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { api, listAll } from '../lib/api';
import { listMyProjects, listProjects, ORG, type Invite, type OrgUser, type Project } from '../lib/org-api';
import { formatTime } from '../lib/time';
import { useSignedIn } from '../session';
import { InviteForm } from './people/InviteForm';
import { RequireTotp } from './people/RequireTotp';

/** The people, pending invites, and the projects the viewer may invite into (a reader: the ones they may use). */
async function loadPeople(owner: boolean) {
  const projects: Promise<Project[]> = owner ? listProjects() : listMyProjects();
  const [users, invites, into] = await Promise.all([listAll<OrgUser>(`${ORG}/users`), listAll<Invite>(`${ORG}/invites`), projects]);
  return { users, invites: invites.filter((i) => i.status === 'pending'), projects: into };
}

export function PeoplePage() {
  const { t, lang } = useI18n();
  const me = useSignedIn();
  const owner = me.user.role === 'owner';
  const people = useLoad(() => loadPeople(owner), [owner]);
  const { error, run: act } = useAction(people.reload);
  const setRole = (u: OrgUser, role: string) => act(() => api('POST', `${ORG}/users/${encodeURIComponent(u.id)}`, { role }));
  const confirm = useConfirmation(people.reload);
  const remove = (u: OrgUser) =>
    confirm.ask({
      title: t('people.removeTitle', { email: u.email }),
      message: t('people.removeMessage'),
      action: t('people.removeSubmit'),
      run: () => api('DELETE', `${ORG}/users/${encodeURIComponent(u.id)}`),
    });
  const cancel = (i: Invite) => act(() => api('DELETE', `${ORG}/invites/${encodeURIComponent(i.id)}`));
  const lastOwner = (u: OrgUser) => u.role === 'owner' && people.data?.users.filter((x) => x.role === 'owner').length === 1;

  return (
    <>
      <PageTitle title={t('people.title')} />
      {people.data ? <InviteForm projects={people.data.projects} owner={owner} onInvited={people.reload} /> : null}
      <ErrorNote error={people.error ?? error} />
      {!people.data && !people.error ? <Loading /> : null}
      {people.data ? (
        <>
          <section aria-labelledby="pending-title">
            <h2 id="pending-title">{t('people.pending')}</h2>
            {people.data.invites.length === 0 ? <p className="muted">{t('people.noPending')}</p> : null}
            {people.data.invites.length > 0 ? (
              <DataTable headers={[t('common.email'), t('common.role'), t('people.invited'), t('people.expires')]} actions={owner}>
                    {people.data.invites.map((i) => (
                      <tr key={i.id}>
                        <td>{i.email}</td>
                        <td>{t(i.role === 'owner' ? 'role.owner' : 'role.reader')}</td>
                        <td>{formatTime(i.invited_at, lang)}</td>
                        <td>{formatTime(i.expires_at, lang)}</td>
                        {owner ? (
                          <td>
                            <RowAction label={t('people.cancel')} ariaLabel={t('people.cancelNamed', { email: i.email })} onClick={() => void cancel(i)} />
                          </td>
                        ) : null}
                      </tr>
                    ))}
              </DataTable>
            ) : null}
          </section>
          <section aria-labelledby="members-title">
            <h2 id="members-title">{t('people.members')}</h2>
            <DataTable headers={[t('common.name'), t('common.email'), t('common.role'), t('people.added')]} actions={owner}>
                  {people.data.users.map((u) => (
                    <tr key={u.id} data-user-email={u.email}>
                      <td>{u.name}</td>
                      <td>{u.email}</td>
                      <td>
                        {owner ? (
                          <select
                            aria-label={t('people.roleOf', { email: u.email })}
                            value={u.role}
                            onChange={(e) => void setRole(u, e.target.value)}
                            disabled={lastOwner(u)}
                            {...(lastOwner(u) ? { 'aria-describedby': `last-owner-${u.id}` } : {})}
                          >
                            <option value="owner">{t('role.owner')}</option>
                            <option value="reader">{t('role.reader')}</option>
                          </select>
                        ) : (
                          t(u.role === 'owner' ? 'role.owner' : 'role.reader')
                        )}
                        {owner && lastOwner(u) ? (
                          <small className="hint block" id={`last-owner-${u.id}`}>
                            {t('people.lastOwner')}
                          </small>
                        ) : null}
                      </td>
                      <td>{formatTime(u.added_at, lang)}</td>
                      {owner ? (
                        <td>
                          {u.id === me.user.id || lastOwner(u) ? null : (
                            <RowAction kind="danger" label={t('common.remove')} ariaLabel={t('people.removeNamed', { email: u.email })} onClick={() => remove(u)} />
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
            </DataTable>
          </section>
          {owner ? <RequireTotp /> : null}
        </>
      ) : null}
      {confirm.dialog}
    </>
  );
}
