/** A project's service accounts (bot members whose keys outlive people); deleting one (asked first in a dialog) stops its keys. */
import { useConfirmation } from '../../components/ConfirmDialog';
import { ErrorNote } from '../../components/ui';
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
  const confirm = useConfirmation(list.reload);
  return (
    <section aria-labelledby="sa-title">
      <h3 id="sa-title">{t('projects.serviceAccounts')}</h3>
      <p className="muted">{t('projects.serviceAccountsIntro')}</p>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
      <ul className="plain">
        {list.data?.map((s) => (
          <li key={s.id}>
            {s.name} · {formatTime(s.created_at, lang)}{' '}
            <button
              type="button"
              className="danger"
              aria-label={t('projects.deleteSaNamed', { name: s.name })}
              onClick={() =>
                confirm.ask({
                  title: t('projects.deleteSaTitle', { name: s.name }),
                  message: t('projects.deleteSaMessage'),
                  action: t('projects.deleteSaSubmit'),
                  run: () => api('DELETE', projectPath(project.id, `/service_accounts/${encodeURIComponent(s.id)}`)),
                })
              }
            >
              {t('common.remove')}
            </button>
          </li>
        ))}
      </ul>
      {confirm.dialog}
    </section>
  );
}
