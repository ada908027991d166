/**
 * The new key's secret, shown this once: the gateway stores only its hash, so it cannot be
 * shown again. Dismissing it removes it from the page (and from memory). Keyboard focus goes to
 * the secret when it appears (selected, ready to copy; a screen reader reads its label), and back
 * to where it was (the form that made the key) when it is dismissed.
 */
import { useEffect, useRef } from 'react';
import { CopyButton } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { CreatedKey } from './CreateKeyForm';

export function SecretOnce({ created, onDone }: { created: CreatedKey; onDone(): void }) {
  const { t } = useI18n();
  const secret = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    secret.current?.focus();
  }, [created]);
  const done = () => {
    const back = opener.current;
    onDone();
    if (back?.isConnected) back.focus();
  };
  return (
    <section className="notice" aria-labelledby="secret-title" role="region">
      <h2 id="secret-title">{t('keys.secretTitle', { name: created.name })}</h2>
      <p>{t('keys.secretOnce')}</p>
      <div className="secret-row">
        <input ref={secret} className="secret" aria-label={t('keys.secret')} value={created.value} readOnly onFocus={(e) => e.currentTarget.select()} data-testid="new-key-secret" />
        <CopyButton text={created.value} />
      </div>
      <button type="button" onClick={done}>
        {t('keys.secretDone')}
      </button>
    </section>
  );
}
