/** A project's service accounts (bot members whose keys outlive people); deleting one stops its keys. */
import { ErrorNote } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, listAll } from '../../lib/api';
import { projectPath, type Project } from '../../lib/org-api';
import { formatTime } from '../../lib/time';

interface ServiceAccount {
  id: string;
  name: string;
  created_at: number;
}

export function ServiceAccounts({ project }: { project: Project }) {
  const { t, lang } = useI18n();
  const list = useLoad(() => listAll<ServiceAccount>(projectPath(project.id, '/service_accounts')), [project.id]);
  const act = useAction(list.reload);
  return (
    <section aria-labelledby="sa-title">
      <h3 id="sa-title">{t('projects.serviceAccounts')}</h3>
      <p className="muted">{t('projects.serviceAccountsIntro')}</p>
      <ErrorNote error={list.error ?? act.error} />
      {list.data?.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
      <ul className="plain">
        {list.data?.map((s) => (
          <li key={s.id}>
            {s.name} · {formatTime(s.created_at, lang)}{' '}
            <button
              type="button"
              className="danger"
              onClick={() => window.confirm(t('projects.deleteSaConfirm', { name: s.name })) && void act.run(() => api('DELETE', projectPath(project.id, `/service_accounts/${encodeURIComponent(s.id)}`)))}
            >
              {t('common.remove')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
