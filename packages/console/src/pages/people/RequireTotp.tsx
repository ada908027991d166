/**
 * The organization's two-factor rule (GET/POST /console/api/organization/settings
 * {require_totp}): when on, a member without two-factor sign-in must set it up before using
 * the console's organization pages.
 */
import { LoadedSection } from '../../components/LoadedSection';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';

const PATH = 'console/api/organization/settings';

export function RequireTotp() {
  const { t } = useI18n();
  const settings = useLoad(() => api<{ require_totp: boolean }>('GET', PATH), []);
  const save = useAction(settings.reload);
  return (
    <LoadedSection id="security-title" level={2} title={t('people.security')} loaded={settings} change={save}>
      {(s) => (
        <label>
          <input
            type="checkbox"
            checked={s.require_totp}
            disabled={save.busy}
            onChange={(e) => void save.run(() => api('POST', PATH, { require_totp: e.target.checked }))}
          />{' '}
          {t('people.requireTotp')}
        </label>
      )}
    </LoadedSection>
  );
}
