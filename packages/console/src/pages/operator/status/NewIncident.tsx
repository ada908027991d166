/**
 * Opens an incident on the status page (POST /admin/v1/status/incidents): a title, the first
 * update's status and message, and the components it affects with how badly.
 */
import { ErrorNote, Field } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useI18n } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { api } from '../../../lib/api';
import { checkedComponents, ComponentsField } from './ComponentsField';
import { COMPONENT_STATUSES, INCIDENT_STATUSES, STATUS, type StatusComponent } from './types';

export function NewIncident({ components, onCreated }: { components: StatusComponent[]; onCreated: () => void }) {
  const { t } = useI18n();
  const create = useAction(onCreated);
  return (
    <section aria-labelledby="incident-new">
      <h2 id="incident-new">{t('statusAdmin.newIncident')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const level = String(f.get('component_status'));
          const body = {
            name: String(f.get('name')).trim(),
            status: String(f.get('status')),
            body: String(f.get('body')).trim(),
            components: Object.fromEntries(checkedComponents(f).map((id) => [id, level])),
          };
          void create.run(() => api('POST', `${STATUS}/incidents`, body)).then((ok) => ok && form.reset());
        }}
      >
        <div className="grid-form">
          <Field label={t('statusAdmin.title')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
          <Field label={t('common.status')}>
            {(id) => (
              <select id={id} name="status">
                {INCIDENT_STATUSES.filter((s) => s !== 'resolved').map((s) => (
                  <option key={s} value={s}>
                    {t(`incident.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('statusAdmin.componentStatus')}>
            {(id) => (
              <select id={id} name="component_status">
                {COMPONENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`component.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ComponentsField components={components} legend={t('statusAdmin.affected')} />
        <Field label={t('statusAdmin.message')} hint={t('statusAdmin.publicHint')}>
          {(id) => <textarea id={id} name="body" required rows={3} maxLength={20000} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          {t('statusAdmin.open')}
        </button>
      </form>
      <ErrorNote error={create.error} />
    </section>
  );
}
