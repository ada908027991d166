/**
 * The new key's secret, shown this once: the gateway stores only its hash, so it cannot be
 * shown again. Dismissing it removes it from the page (and from memory).
 */
import { CopyButton } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { CreatedKey } from './CreateKeyForm';

export function SecretOnce({ created, onDone }: { created: CreatedKey; onDone(): void }) {
  const { t } = useI18n();
  return (
    <section className="notice" aria-labelledby="secret-title" role="region">
      <h2 id="secret-title">{t('keys.secretTitle', { name: created.name })}</h2>
      <p>{t('keys.secretOnce')}</p>
      <div className="secret-row">
        <input className="secret" aria-label={t('keys.secret')} value={created.value} readOnly onFocus={(e) => e.currentTarget.select()} data-testid="new-key-secret" />
        <CopyButton text={created.value} />
      </div>
      <button type="button" onClick={onDone}>
        {t('keys.secretDone')}
      </button>
    </section>
  );
}
