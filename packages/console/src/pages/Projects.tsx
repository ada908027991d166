/**
 * Projects: the organization's projects (archived ones too), a form to create one, and for the
 * chosen project its members, service accounts, per-model rate limits, model permissions and
 * spend limit; archive. Owners only.
 */
import { Link, useParams } from 'react-router';
import { DataTable, ErrorNote, Field, Loading, PageTitle } from '../components/ui';
import { useAction } from '../components/use-action';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { listMyProjects, listProjects, ORG } from '../lib/org-api';
import { formatTime } from '../lib/time';
import { ProjectDetail } from './projects/ProjectDetail';

export function ProjectsPage() {
  const { t, lang } = useI18n();
  const { projectId } = useParams();
  const projects = useLoad(() => listProjects(true), []);
  // Which one is the Default project (never archived): the console's view of the projects says.
  const mine = useLoad(listMyProjects, []);
  const create = useAction(projects.reload);
  const chosen = projects.data?.find((p) => p.id === projectId);
  const isDefault = mine.data?.some((p) => p.id === projectId && p.is_default) ?? false;

  return (
    <>
      <PageTitle title={t('projects.title')} />
      <ErrorNote error={projects.error ?? mine.error} />
      {!projects.data && !projects.error ? <Loading /> : null}
      {projects.data ? (
        <DataTable headers={[t('common.name'), t('common.status'), t('common.created')]}>
              {projects.data.map((p) => (
                <tr key={p.id} aria-current={p.id === projectId ? 'true' : undefined}>
                  <td>
                    <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                  </td>
                  <td>{t(p.status === 'archived' ? 'projects.archived' : 'projects.active')}</td>
                  <td>{formatTime(p.created_at, lang)}</td>
                </tr>
              ))}
        </DataTable>
      ) : null}
      <form
        className="inline-form"
        onSubmit={create.submit((f) => api('POST', `${ORG}/projects`, { name: String(f.get('name')) }))}
      >
        <Field label={t('projects.newName')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
        <button type="submit" disabled={create.busy}>
          {t('projects.create')}
        </button>
      </form>
      <ErrorNote error={create.error} />
      {chosen && mine.data ? <ProjectDetail key={chosen.id} project={chosen} isDefault={isDefault} onChanged={projects.reload} /> : null}
    </>
  );
}
