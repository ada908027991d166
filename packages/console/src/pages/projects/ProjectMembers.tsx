/**
 * A project's members with their project role; add an organization member, change a role, remove
 * one (asked first in a dialog, which says whether their keys in the project stop working).
 * `readOnly` (an archived project): the members and their roles are listed, nothing more.
 */
import { useConfirmation } from '../../components/ConfirmDialog';
import { LoadedSection } from '../../components/LoadedSection';
import { RoleField, SelectField } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, listAll } from '../../lib/api';
import { ORG, projectPath, type OrgUser, type Project } from '../../lib/org-api';

interface ProjectUser {
  id: string;
  name: string;
  email: string;
  role: 'owner' | 'member';
}

export function ProjectMembers({ project, isDefault, readOnly }: { project: Project; isDefault: boolean; readOnly: boolean }) {
  const { t } = useI18n();
  const data = useLoad(
    async () => {
      const [members, users] = await Promise.all([listAll<ProjectUser>(projectPath(project.id, '/users')), listAll<OrgUser>(`${ORG}/users`)]);
      return { members, users, others: users.filter((u) => !members.some((m) => m.id === u.id)) };
    },
    [project.id],
  );
  const act = useAction(data.reload);
  const user = (id: string, rest = '') => projectPath(project.id, `/users/${encodeURIComponent(id)}${rest}`);
  const confirm = useConfirmation(data.reload);
  // Their keys in the project keep working where they may use it anyway (the gateway's rule: the
  // Default project, or an owner of the organization).
  const remove = (m: ProjectUser, orgOwner: boolean) =>
    confirm.ask({
      title: t('projects.removeMemberTitle', { email: m.email, project: project.name }),
      message: t(isDefault || orgOwner ? 'projects.removeMemberKeysKeep' : 'projects.removeMemberKeysStop'),
      action: t('projects.removeMemberSubmit'),
      run: () => api('DELETE', user(m.id)),
    });

  return (
    <LoadedSection id="pm-title" level={3} title={t('projects.members')} loaded={data} change={act}>
      {({ members, users, others }) => (
        <>
          <ul className="plain">
            {members.map((m) => (
              <li key={m.id}>
                {m.name} ({m.email}){' '}
                {readOnly ? (
                  t(m.role === 'owner' ? 'projects.roleOwner' : 'projects.roleMember')
                ) : (
                  <>
                    <select aria-label={t('people.roleOf', { email: m.email })} value={m.role} onChange={(e) => void act.run(() => api('POST', user(m.id), { role: e.target.value }))}>
                      <option value="owner">{t('projects.roleOwner')}</option>
                      <option value="member">{t('projects.roleMember')}</option>
                    </select>{' '}
                    <button type="button" className="secondary" onClick={() => remove(m, users.some((u) => u.id === m.id && u.role === 'owner'))} aria-label={t('people.removeNamed', { email: m.email })}>
                      {t('common.remove')}
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
          {!readOnly && others.length > 0 ? (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const f = new FormData(e.currentTarget);
                void act.run(() => api('POST', projectPath(project.id, '/users'), { user_id: f.get('user_id'), role: f.get('role') }));
              }}
            >
              <SelectField label={t('projects.addMember')} name="user_id" options={others.map((u) => [u.id, u.email] as const)} />
              <RoleField
                label={t('common.role')}
                roles={[
                  ['member', t('projects.roleMember')],
                  ['owner', t('projects.roleOwner')],
                ]}
              />
              <button type="submit" disabled={act.busy}>
                {t('projects.add')}
              </button>
            </form>
          ) : null}
          {confirm.dialog}
        </>
      )}
    </LoadedSection>
  );
}
