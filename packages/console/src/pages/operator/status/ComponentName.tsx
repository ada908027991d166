/**
 * A status-page component's name: the gateway's own components (the public API, the console, the
 * admin API) in the viewer's language; a model's is its name, which is not translated.
 */
import { useI18n } from '../../../i18n/i18n';

const OWN = { 'Public API': 'statusAdmin.component.api', Console: 'statusAdmin.component.console', 'Admin API': 'statusAdmin.component.admin' } as const;

export function ComponentName({ name }: { name: string }) {
  const { t } = useI18n();
  const key = OWN[name as keyof typeof OWN];
  return key ? <>{t(key)}</> : <code>{name}</code>;
}
