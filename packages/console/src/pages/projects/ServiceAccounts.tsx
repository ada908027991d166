/**
 * A project's service accounts (bot members whose keys outlive people), as the Administration API
 * shows them: name, role and when it was made. An owner renames one, changes its role (owner or
 * member; `none`, an account made without a key, is shown until one is given), creates another
 * key for it (shown once) or removes it (asked first in a dialog: its keys stop). Each change is a
 * call of /v1/organization/projects/{id}/service_accounts/{id}[/api_keys]. `readOnly` (an archived
 * project): the accounts and their roles are listed, with none of these controls.
 */
import { useState } from 'react';
import { useConfirmation } from '../../components/ConfirmDialog';
import { LoadedSection } from '../../components/LoadedSection';
import { DataTable, RowAction } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, listAll } from '../../lib/api';
import { projectPath, type Project } from '../../lib/org-api';
import { formatTime } from '../../lib/time';
import type { CreatedKey } from '../api-keys/CreateKeyForm';
import { SecretOnce } from '../api-keys/SecretOnce';
import { ServiceAccountDialog, type AccountChange, type ServiceAccount } from './ServiceAccountDialog';

const ROLE_LABEL = { owner: 'projects.roleOwner', member: 'projects.roleMember', none: 'projects.roleNone' } as const;

export function ServiceAccounts({ project, readOnly }: { project: Project; readOnly: boolean }) {
  const { t, lang } = useI18n();
  const list = useLoad(() => listAll<ServiceAccount>(projectPath(project.id, '/service_accounts')), [project.id]);
  const act = useAction(list.reload);
  const confirm = useConfirmation(list.reload);
  const [asked, setAsked] = useState<{ change: AccountChange; account: ServiceAccount }>();
  const [created, setCreated] = useState<CreatedKey>();
  const path = (s: ServiceAccount) => projectPath(project.id, `/service_accounts/${encodeURIComponent(s.id)}`);
  const remove = (s: ServiceAccount) =>
    confirm.ask({
      title: t('projects.deleteSaTitle', { name: s.name }),
      message: t('projects.deleteSaMessage'),
      action: t('projects.deleteSaSubmit'),
      run: () => api('DELETE', path(s)),
    });
  return (
    <LoadedSection id="sa-title" level={3} title={t('projects.serviceAccounts')} intro={<p className="muted">{t('projects.serviceAccountsIntro')}</p>} loaded={list} change={act}>
      {(accounts) => (
        <>
          {created ? <SecretOnce created={created} onDone={() => setCreated(undefined)} /> : null}
          {accounts.length === 0 ? (
            <p className="muted">{t('common.none')}</p>
          ) : (
            <DataTable headers={[t('common.name'), t('common.role'), t('common.created')]} actions={!readOnly}>
              {accounts.map((s) => (
                <tr key={s.id} data-service-account-id={s.id}>
                  <td>{s.name}</td>
                  <td>
                    {readOnly ? (
                      t(ROLE_LABEL[s.role])
                    ) : (
                      <select aria-label={t('projects.saRoleOf', { name: s.name })} value={s.role} onChange={(e) => void act.run(() => api('POST', path(s), { role: e.target.value }))}>
                        {s.role === 'none' ? (
                          <option value="none" disabled>
                            {t('projects.roleNone')}
                          </option>
                        ) : null}
                        <option value="owner">{t('projects.roleOwner')}</option>
                        <option value="member">{t('projects.roleMember')}</option>
                      </select>
                    )}
                  </td>
                  <td>{formatTime(s.created_at, lang)}</td>
                  {readOnly ? null : (
                    <td>
                      <RowAction label={t('projects.renameSa')} ariaLabel={t('projects.renameSaNamed', { name: s.name })} onClick={() => setAsked({ change: 'rename', account: s })} />{' '}
                      <RowAction label={t('projects.saCreateKey')} ariaLabel={t('projects.saCreateKeyNamed', { name: s.name })} onClick={() => setAsked({ change: 'key', account: s })} />{' '}
                      <RowAction kind="danger" label={t('common.remove')} ariaLabel={t('projects.deleteSaNamed', { name: s.name })} onClick={() => remove(s)} />
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
          )}
          {asked ? (
            <ServiceAccountDialog
              {...asked}
              path={path(asked.account)}
              onClose={() => setAsked(undefined)}
              onDone={(key) => {
                setAsked(undefined);
                if (key) setCreated(key);
                list.reload();
              }}
            />
          ) : null}
          {confirm.dialog}
        </>
      )}
    </LoadedSection>
  );
}
