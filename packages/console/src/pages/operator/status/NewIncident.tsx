/**
 * What opening an incident asks for beyond the shared form (NewStatusEvent.tsx, POST
 * /admin/v1/status/incidents): the first update's status, and how badly the components it
 * affects are hit. Its message is the first update's text.
 */
import { SelectField } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { checkedComponents } from './ComponentsField';
import { COMPONENT_STATUSES, INCIDENT_STATUSES } from './types';

export function IncidentInputs() {
  const { t } = useI18n();
  return (
    <>
      <SelectField label={t('common.status')} name="status" options={INCIDENT_STATUSES.filter((s) => s !== 'resolved').map((s) => [s, t(`incident.${s}` as MessageKey)] as const)} />
      <SelectField label={t('statusAdmin.componentStatus')} name="component_status" options={COMPONENT_STATUSES.map((s) => [s, t(`component.${s}` as MessageKey)] as const)} />
    </>
  );
}

/** Every checked component gets the one chosen status. */
export function incidentFields(f: FormData): Record<string, unknown> {
  const level = String(f.get('component_status'));
  return {
    status: String(f.get('status')),
    body: String(f.get('body')).trim(),
    components: Object.fromEntries(checkedComponents(f).map((id) => [id, level])),
  };
}
