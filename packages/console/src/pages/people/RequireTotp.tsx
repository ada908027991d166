/**
 * The organization's two-factor rule (GET/POST /console/api/organization/settings
 * {require_totp}): when on, a member without two-factor sign-in must set it up before using
 * the console's organization pages.
 */
import { ErrorNote } from '../../components/ui';
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
    <section aria-labelledby="security-title">
      <h2 id="security-title">{t('people.security')}</h2>
      <ErrorNote error={settings.error ?? save.error} />
      {settings.data ? (
        <label>
          <input
            type="checkbox"
            checked={settings.data.require_totp}
            disabled={save.busy}
            onChange={(e) => void save.run(() => api('POST', PATH, { require_totp: e.target.checked }))}
          />{' '}
          {t('people.requireTotp')}
        </label>
      ) : null}
    </section>
  );
}
