/**
 * Operator: the status page's incidents and scheduled maintenance through its admin routes
 * (/admin/v1/status/*): open an incident, post updates with a new status and message, resolve it;
 * schedule maintenance and move it along. What is posted shows on the public page at /status.
 */
import { ErrorNote, Loading, PageTitle } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, type ListPage } from '../../lib/api';
import { underBase } from '../../lib/base';
import { IncidentList } from './status/IncidentList';
import { NewIncident } from './status/NewIncident';
import { NewMaintenance } from './status/NewMaintenance';
import { listComponents, STATUS, type Incident } from './status/types';

const listOf = async (kind: 'incident' | 'maintenance') => (await api<ListPage<Incident>>('GET', `${STATUS}/incidents?kind=${kind}`)).data;

export function StatusAdminPage() {
  const { t } = useI18n();
  const components = useLoad(listComponents, []);
  const incidents = useLoad(() => listOf('incident'), []);
  const maintenances = useLoad(() => listOf('maintenance'), []);
  return (
    <>
      <PageTitle title={t('statusAdmin.pageTitle')}>
        <a href={underBase('status')} className="button secondary">
          {t('statusAdmin.public')}
        </a>
      </PageTitle>
      <ErrorNote error={components.error} />
      <NewIncident components={components.data ?? []} onCreated={incidents.reload} />
      <section aria-labelledby="incidents-title">
        <h2 id="incidents-title">{t('statusAdmin.incidents')}</h2>
        <ErrorNote error={incidents.error} />
        {incidents.data ? <IncidentList kind="incident" items={incidents.data} onChanged={incidents.reload} /> : !incidents.error ? <Loading /> : null}
      </section>
      <NewMaintenance components={components.data ?? []} onCreated={maintenances.reload} />
      <section aria-labelledby="maintenance-title">
        <h2 id="maintenance-title">{t('statusAdmin.maintenances')}</h2>
        <ErrorNote error={maintenances.error} />
        {maintenances.data ? <IncidentList kind="maintenance" items={maintenances.data} onChanged={maintenances.reload} /> : !maintenances.error ? <Loading /> : null}
      </section>
    </>
  );
}
