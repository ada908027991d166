/**
 * Incidents or maintenances with their latest update, each with a form that posts an update: a
 * new status and a message shown on the status page (POST /admin/v1/status/{incidents|maintenances}/{id}).
 * An incident that is not resolved has a Resolve button; what is over cannot be updated here.
 */
import { ErrorNote, Field, SelectField } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useI18n } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { api } from '../../../lib/api';
import { formatTime } from '../../../lib/time';
import { ComponentName } from './ComponentName';
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES, optionalBody, STATUS, unixOf, type EventKind, type Incident } from './types';

export function IncidentList({ kind, items, onChanged }: { kind: EventKind; items: Incident[]; onChanged: () => void }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="muted">{t(kind === 'incident' ? 'statusAdmin.noIncidents' : 'statusAdmin.noMaintenance')}</p>;
  return (
    <ul className="plain">
      {items.map((i) => (
        <IncidentItem key={i.id} kind={kind} incident={i} onChanged={onChanged} />
      ))}
    </ul>
  );
}

function IncidentItem({ kind, incident: i, onChanged }: { kind: EventKind; incident: Incident; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const act = useAction(onChanged);
  const statuses = kind === 'incident' ? INCIDENT_STATUSES : MAINTENANCE_STATUSES;
  const label = (s: string) => t(`${kind}.${s}` as MessageKey);
  const over = i.status === 'resolved' || i.status === 'postmortem' || i.status === 'completed';
  const path = `${STATUS}/${kind === 'incident' ? 'incidents' : 'maintenances'}/${encodeURIComponent(i.id)}`;
  const latest = i.incident_updates[0];
  const titleId = `incident-${i.id}`;
  return (
    <li data-incident-id={i.id} data-status={i.status}>
      <h3 id={titleId} translate="no">
        {i.name}
      </h3>
      <p>
        <span className={`badge incident-${i.status}`}>{label(i.status)}</span>{' '}
        {kind === 'maintenance'
          ? t('statusAdmin.window', { from: formatTime(unixOf(i.scheduled_for), lang), until: formatTime(unixOf(i.scheduled_until), lang) })
          : i.resolved_at
            ? t('statusAdmin.resolvedAt', { from: formatTime(unixOf(i.created_at), lang), until: formatTime(unixOf(i.resolved_at), lang) })
            : t('statusAdmin.since', { time: formatTime(unixOf(i.created_at), lang) })}
      </p>
      {i.components.length > 0 ? (
        <p>
          {t('statusAdmin.affected')}:{' '}
          {i.components.map((c, n) => (
            <span key={c.id}>
              {n > 0 ? ', ' : ''}
              <ComponentName name={c.name} />
            </span>
          ))}
        </p>
      ) : null}
      {latest ? (
        <p className="muted" translate="no">
          {latest.body}
        </p>
      ) : null}
      {!over ? (
        <form
          className="inline-form"
          aria-labelledby={titleId}
          onSubmit={act.submit((f) => api('POST', path, { status: String(f.get('status')), ...optionalBody(f) }))}
        >
          <SelectField label={t('statusAdmin.newStatus')} name="status" defaultValue={i.status} options={statuses.map((s) => [s, label(s)] as const)} />
          <Field label={t('statusAdmin.message')}>{(id) => <textarea id={id} name="body" rows={1} maxLength={20000} />}</Field>
          <button type="submit" className="secondary" disabled={act.busy}>
            {t('statusAdmin.postUpdate')}
          </button>
          {kind === 'incident' ? (
            <button
              type="button"
              disabled={act.busy}
              aria-label={t('statusAdmin.resolveNamed', { name: i.name })}
              onClick={(e) => {
                const text = String(new FormData(e.currentTarget.form!).get('body')).trim();
                void act.run(() => api('POST', path, { status: 'resolved', body: text || t('statusAdmin.resolvedBody') }));
              }}
            >
              {t('statusAdmin.resolve')}
            </button>
          ) : null}
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </li>
  );
}
