/**
 * The form that opens an incident or schedules maintenance: a title, the inputs of its kind
 * (NewIncident.tsx, NewMaintenance.tsx), the components it touches and the message the public
 * page shows. It empties itself once the gateway took it.
 */
import type { ReactNode } from 'react';
import { ErrorNote, Field } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useI18n } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { api } from '../../../lib/api';
import { ComponentsField } from './ComponentsField';
import { IncidentInputs, incidentFields } from './NewIncident';
import { MaintenanceInputs, maintenanceFields } from './NewMaintenance';
import { STATUS, type EventKind, type StatusComponent } from './types';

/**
 * Per kind: the heading, the legend of the components it touches, the submit button's label, its
 * own inputs (after the title), and the body's fields other than `name`, from the form.
 */
const KINDS = {
  incident: { text: ['statusAdmin.newIncident', 'statusAdmin.affected', 'statusAdmin.open'], Inputs: IncidentInputs, fields: incidentFields },
  maintenance: { text: ['statusAdmin.newMaintenance', 'statusAdmin.underMaintenance', 'statusAdmin.schedule'], Inputs: MaintenanceInputs, fields: maintenanceFields },
} as const satisfies Record<EventKind, { text: readonly [MessageKey, MessageKey, MessageKey]; Inputs: () => ReactNode; fields: (f: FormData) => Record<string, unknown> }>;

export function NewStatusEvent({ kind, components, onCreated }: { kind: EventKind; components: StatusComponent[]; onCreated: () => void }) {
  const { t } = useI18n();
  const create = useAction(onCreated);
  const {
    text: [heading, legend, submitLabel],
    Inputs,
    fields,
  } = KINDS[kind];
  // An incident opens with its first update, so it needs a message; maintenance may go without.
  const incident = kind === 'incident';
  const path = `${STATUS}/${incident ? 'incidents' : 'maintenances'}`;
  const titleId = `${kind}-new`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>{t(heading)}</h2>
      <form onSubmit={create.submit((f) => api('POST', path, { name: String(f.get('name')).trim(), ...fields(f) }))}>
        <div className="grid-form">
          <Field label={t('statusAdmin.title')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
          <Inputs />
        </div>
        <ComponentsField components={components} legend={t(legend)} />
        <Field label={t('statusAdmin.message')} hint={t('statusAdmin.publicHint')}>
          {(id) => <textarea id={id} name="body" required={incident} rows={incident ? 3 : 2} maxLength={20000} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          {t(submitLabel)}
        </button>
      </form>
      <ErrorNote error={create.error} />
    </section>
  );
}
