/**
 * API keys: create one (name, project, owner: me or a new service account, permissions), see
 * its secret exactly once with a copy button, list every key of the projects with its redacted
 * value, creation, last use and owner, and revoke one (it stops working at once), asked first in
 * a dialog. The list is read a page at a time, newest first, with its projects
 * (GET /console/api/api_keys): one request a page, however many projects the organization has.
 *
 * The page offers what the viewer's role may do, as the gateway decides it: the projects they may
 * make keys in (GET /console/api/projects), a service account only to an owner, and Revoke on
 * every key for an owner (the Administration API) but only on their own keys for anyone else
 * (DELETE /console/api/api_keys/{id}).
 */
import { useState } from 'react';
import { useConfirmation } from '../components/ConfirmDialog';
import { Pager } from '../components/Pager';
import { DataTable, ErrorNote, Loading, PageTitle, RowAction } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePages } from '../components/use-pages';
import { useI18n } from '../i18n/i18n';
import { deleteProjectKey, listMyProjects, orgKeysPage, revokeOwnKey, type OrgApiKey } from '../lib/org-api';
import { formatTime } from '../lib/time';
import { useSignedIn } from '../session';
import { CreateKeyForm, type CreatedKey } from './api-keys/CreateKeyForm';
import { SecretOnce } from './api-keys/SecretOnce';

type Row = OrgApiKey;

export function ApiKeysPage() {
  const { t, lang } = useI18n();
  const me = useSignedIn();
  const owner = me.user.role === 'owner';
  const keys = usePages(orgKeysPage, '');
  const mine = useLoad(listMyProjects, []);
  const [created, setCreated] = useState<CreatedKey>();
  const own = (k: Row) => k.owner.type === 'user' && k.owner.user?.id === me.user.id;
  const confirm = useConfirmation(keys.reload);
  const revoke = (row: Row) =>
    confirm.ask({
      title: t('keys.revokeTitle', { name: row.name }),
      message: t('keys.revokeMessage'),
      action: t('keys.revokeSubmit'),
      run: () => (owner ? deleteProjectKey(row.project.id, row.id) : revokeOwnKey(row.id)),
    });

  return (
    <>
      <PageTitle title={t('keys.title')} />
      <p className="muted">{t('keys.intro')}</p>
      {created ? <SecretOnce created={created} onDone={() => setCreated(undefined)} /> : null}
      <ErrorNote error={mine.error} />
      {mine.data ? (
        <CreateKeyForm
          projects={mine.data}
          owner={owner}
          onProjectGone={mine.reload}
          onCreated={(k) => {
            setCreated(k);
            // The new key is the newest: on the first page.
            keys.first();
          }}
        />
      ) : null}
      <section aria-labelledby="keys-list">
        <h2 id="keys-list">{t('keys.listTitle')}</h2>
        {owner ? null : <p className="muted">{t('keys.readerNote')}</p>}
        <ErrorNote error={keys.error} />
        {!keys.data && !keys.error ? <Loading /> : null}
        {keys.data && keys.data.data.length === 0 && keys.number === 1 ? <p className="muted">{t('keys.none')}</p> : null}
        {keys.data && keys.data.data.length > 0 ? (
          <DataTable headers={[t('common.name'), t('keys.secret'), t('keys.project'), t('keys.owner'), t('common.created'), t('keys.lastUsed')]} actions>
                {keys.data.data.map((k) => (
                  <tr key={k.id} data-key-id={k.id}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.redacted_value}</code>
                    </td>
                    <td>{k.project.name}</td>
                    <td>{k.owner.type === 'user' ? (k.owner.user?.email ?? k.owner.user?.name) : t('keys.serviceAccountNamed', { name: k.owner.service_account?.name ?? '' })}</td>
                    <td>{formatTime(k.created_at, lang)}</td>
                    <td>{k.last_used_at ? formatTime(k.last_used_at, lang) : t('keys.neverUsed')}</td>
                    <td>
                      {owner || own(k) ? <RowAction kind="danger" label={t('keys.revoke')} ariaLabel={t('keys.revokeNamed', { name: k.name })} onClick={() => revoke(k)} /> : null}
                    </td>
                  </tr>
                ))}
          </DataTable>
        ) : null}
        <Pager pages={keys} label={t('keys.listTitle')} />
      </section>
      {confirm.dialog}
    </>
  );
}
