/**
 * Schedules maintenance (POST /admin/v1/status/maintenances): a title, the window in the viewer's
 * time zone (sent as absolute times), the components under maintenance and a message.
 */
import { ErrorNote, Field } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useI18n } from '../../../i18n/i18n';
import { api } from '../../../lib/api';
import { checkedComponents, ComponentsField } from './ComponentsField';
import { STATUS, type StatusComponent } from './types';

/** A datetime-local value (the viewer's wall clock) as an ISO instant. */
const instant = (v: FormDataEntryValue | null): string => new Date(String(v)).toISOString();

export function NewMaintenance({ components, onCreated }: { components: StatusComponent[]; onCreated: () => void }) {
  const { t } = useI18n();
  const create = useAction(onCreated);
  return (
    <section aria-labelledby="maintenance-new">
      <h2 id="maintenance-new">{t('statusAdmin.newMaintenance')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const message = String(f.get('body')).trim();
          const body = {
            name: String(f.get('name')).trim(),
            scheduled_for: instant(f.get('scheduled_for')),
            scheduled_until: instant(f.get('scheduled_until')),
            components: checkedComponents(f),
            ...(message ? { body: message } : {}),
          };
          void create.run(() => api('POST', `${STATUS}/maintenances`, body)).then((ok) => ok && form.reset());
        }}
      >
        <div className="grid-form">
          <Field label={t('statusAdmin.title')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
          <Field label={t('statusAdmin.from')}>{(id) => <input id={id} name="scheduled_for" type="datetime-local" required />}</Field>
          <Field label={t('statusAdmin.until')}>{(id) => <input id={id} name="scheduled_until" type="datetime-local" required />}</Field>
        </div>
        <ComponentsField components={components} legend={t('statusAdmin.underMaintenance')} />
        <Field label={t('statusAdmin.message')} hint={t('statusAdmin.publicHint')}>
          {(id) => <textarea id={id} name="body" rows={2} maxLength={20000} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          {t('statusAdmin.schedule')}
        </button>
      </form>
      <ErrorNote error={create.error} />
    </section>
  );
}
