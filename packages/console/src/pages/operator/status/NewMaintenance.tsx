/**
 * What scheduling maintenance asks for beyond the shared form (NewStatusEvent.tsx, POST
 * /admin/v1/status/maintenances): the window in the viewer's time zone, sent as absolute times.
 * Its message is optional.
 */
import { Field } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import { checkedComponents } from './ComponentsField';
import { optionalBody } from './types';

/** A datetime-local value (the viewer's wall clock) as an ISO instant. */
const instant = (v: FormDataEntryValue | null): string => new Date(String(v)).toISOString();

export function MaintenanceInputs() {
  const { t } = useI18n();
  return (
    <>
      <Field label={t('statusAdmin.from')}>{(id) => <input id={id} name="scheduled_for" type="datetime-local" required />}</Field>
      <Field label={t('statusAdmin.until')}>{(id) => <input id={id} name="scheduled_until" type="datetime-local" required />}</Field>
    </>
  );
}

export function maintenanceFields(f: FormData): Record<string, unknown> {
  return {
    scheduled_for: instant(f.get('scheduled_for')),
    scheduled_until: instant(f.get('scheduled_until')),
    components: checkedComponents(f),
    ...optionalBody(f),
  };
}
