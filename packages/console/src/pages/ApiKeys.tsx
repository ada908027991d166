/**
 * API keys: create one (name, project, owner: me or a new service account, permissions), see
 * its secret exactly once with a copy button, list every key of the projects with its redacted
 * value, creation, last use and owner, and revoke one (it stops working at once).
 */
import { useState } from 'react';
import { DataTable, ErrorNote, Loading, PageTitle, RowAction } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { listAll } from '../lib/api';
import { deleteProjectKey, listProjects, projectPath, type Project, type ProjectApiKey } from '../lib/org-api';
import { formatTime } from '../lib/time';
import { CreateKeyForm, type CreatedKey } from './api-keys/CreateKeyForm';
import { SecretOnce } from './api-keys/SecretOnce';

interface Row extends ProjectApiKey {
  project: Project;
}

async function loadKeys(): Promise<{ projects: Project[]; rows: Row[] }> {
  const projects = await listProjects();
  const perProject = await Promise.all(
    projects.map(async (p) => (await listAll<ProjectApiKey>(projectPath(p.id, '/api_keys'))).map((k) => ({ ...k, project: p }))),
  );
  const rows = perProject.flat().sort((a, b) => b.created_at - a.created_at);
  return { projects, rows };
}

export function ApiKeysPage() {
  const { t, lang } = useI18n();
  const keys = useLoad(loadKeys, []);
  const [created, setCreated] = useState<CreatedKey>();
  const [revokeError, setRevokeError] = useState<unknown>();

  const revoke = async (row: Row) => {
    if (!window.confirm(t('keys.revokeConfirm', { name: row.name }))) return;
    setRevokeError(undefined);
    try {
      await deleteProjectKey(row.project.id, row.id);
      keys.reload();
    } catch (e) {
      setRevokeError(e);
    }
  };

  return (
    <>
      <PageTitle title={t('keys.title')} />
      <p className="muted">{t('keys.intro')}</p>
      {created ? <SecretOnce created={created} onDone={() => setCreated(undefined)} /> : null}
      {keys.data ? (
        <CreateKeyForm
          projects={keys.data.projects}
          onCreated={(k) => {
            setCreated(k);
            keys.reload();
          }}
        />
      ) : null}
      <section aria-labelledby="keys-list">
        <h2 id="keys-list">{t('keys.listTitle')}</h2>
        <ErrorNote error={keys.error ?? revokeError} />
        {!keys.data && !keys.error ? <Loading /> : null}
        {keys.data && keys.data.rows.length === 0 ? <p className="muted">{t('keys.none')}</p> : null}
        {keys.data && keys.data.rows.length > 0 ? (
          <DataTable headers={[t('common.name'), t('keys.secret'), t('keys.project'), t('keys.owner'), t('common.created'), t('keys.lastUsed')]} actions>
                {keys.data.rows.map((k) => (
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
                      <RowAction kind="danger" label={t('keys.revoke')} ariaLabel={t('keys.revokeNamed', { name: k.name })} onClick={() => void revoke(k)} />
                    </td>
                  </tr>
                ))}
          </DataTable>
        ) : null}
      </section>
    </>
  );
}
