/**
 * One project's settings, each section saved on its own through the project endpoints. Archiving
 * is asked first in a dialog. The Default project is never archived (the gateway refuses it): it
 * says so instead of the button. An archived project is read-only (the gateway refuses every
 * change to it): its sections show what it has, with no control that would change it.
 */
import { useConfirmation } from '../../components/ConfirmDialog';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import { projectPath, type Project } from '../../lib/org-api';
import { ModelPermissions } from './ModelPermissions';
import { ProjectMembers } from './ProjectMembers';
import { RateLimitsTable } from './RateLimitsTable';
import { ServiceAccounts } from './ServiceAccounts';
import { SpendAlerts } from './SpendAlerts';
import { SpendLimit } from './SpendLimit';

export function ProjectDetail({ project, isDefault, onChanged }: { project: Project; isDefault: boolean; onChanged(): void }) {
  const { t } = useI18n();
  const confirm = useConfirmation(onChanged);
  const active = project.status === 'active';
  const readOnly = !active;
  return (
    <section aria-labelledby="project-title" className="detail">
      <h2 id="project-title">{project.name}</h2>
      {readOnly ? (
        <p className="notice" data-testid="project-read-only">
          {t('projects.archivedReadOnly')}
        </p>
      ) : null}
      <ProjectMembers project={project} isDefault={isDefault} readOnly={readOnly} />
      <ServiceAccounts project={project} readOnly={readOnly} />
      <RateLimitsTable project={project} readOnly={readOnly} />
      <ModelPermissions project={project} readOnly={readOnly} />
      <SpendLimit path={projectPath(project.id, '/spend_limit')} title={t('projects.spendLimit')} readOnly={readOnly} />
      <SpendAlerts path={projectPath(project.id, '/spend_alerts')} title={t('projects.spendAlerts')} readOnly={readOnly} />
      {active ? (
        <section aria-labelledby="archive-title">
          <h3 id="archive-title">{t('projects.archive')}</h3>
          <p className="muted">{t(isDefault ? 'projects.defaultNotArchived' : 'projects.archiveIntro')}</p>
          {isDefault ? null : (
            <button
              type="button"
              className="danger"
              onClick={() =>
                confirm.ask({
                  title: t('projects.archiveTitle', { name: project.name }),
                  message: t('projects.archiveMessage'),
                  action: t('projects.archive'),
                  run: () => api('POST', projectPath(project.id, '/archive')),
                })
              }
            >
              {t('projects.archive')}
            </button>
          )}
        </section>
      ) : null}
      {confirm.dialog}
    </section>
  );
}
