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
import { NewStatusEvent } from './status/NewStatusEvent';
import { listComponents, STATUS, type EventKind, type Incident, type StatusComponent } from './status/types';

const listOf = async (kind: EventKind) => (await api<ListPage<Incident>>('GET', `${STATUS}/incidents?kind=${kind}`)).data;

export function StatusAdminPage() {
  const { t } = useI18n();
  const components = useLoad(listComponents, []);
  return (
    <>
      <PageTitle title={t('statusAdmin.pageTitle')}>
        <a href={underBase('status')} className="button secondary">
          {t('statusAdmin.public')}
        </a>
      </PageTitle>
      <ErrorNote error={components.error} />
      <Events kind="incident" components={components.data ?? []} />
      <Events kind="maintenance" components={components.data ?? []} />
    </>
  );
}

/** One kind's form for a new one, then its list (reloaded after every change). */
function Events({ kind, components }: { kind: EventKind; components: StatusComponent[] }) {
  const { t } = useI18n();
  const list = useLoad(() => listOf(kind), [kind]);
  const titleId = kind === 'incident' ? 'incidents-title' : 'maintenance-title';
  return (
    <>
      <NewStatusEvent kind={kind} components={components} onCreated={list.reload} />
      <section aria-labelledby={titleId}>
        <h2 id={titleId}>{t(kind === 'incident' ? 'statusAdmin.incidents' : 'statusAdmin.maintenances')}</h2>
        <ErrorNote error={list.error} />
        {list.data ? <IncidentList kind={kind} items={list.data} onChanged={list.reload} /> : !list.error ? <Loading /> : null}
      </section>
    </>
  );
}
