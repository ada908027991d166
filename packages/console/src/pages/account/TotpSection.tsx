/**
 * Two-factor sign-in (TOTP): start (the server makes a secret, shown as a QR code of its
 * otpauth:// URI to scan, the URI as a link and the secret as text to type), confirm with a code (the server answers with recovery codes,
 * shown once, focused when they appear), or turn it off with a code.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { QrCode } from '../../components/QrCode';
import { CopyButton, ErrorNote, Field } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';

export function TotpSection({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  const [on, setOn] = useState(enabled);
  const [pending, setPending] = useState<{ secret: string; otpauth_url: string }>();
  const [recovery, setRecovery] = useState<string[]>();
  const [error, setError] = useState<unknown>();
  // The recovery codes are shown once: focus goes to them when they appear (the code form is gone).
  const codes = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (recovery) codes.current?.focus();
  }, [recovery]);

  const start = async () => {
    setError(undefined);
    try {
      setPending(await api('POST', 'console/api/totp/setup'));
    } catch (e) {
      setError(e);
    }
  };
  const confirm = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code'));
    setError(undefined);
    try {
      if (on) {
        await api('DELETE', 'console/api/totp', { code });
        setOn(false);
      } else {
        const r = await api<{ recovery_codes: string[] }>('POST', 'console/api/totp/enable', { code });
        setRecovery(r.recovery_codes);
        setPending(undefined);
        setOn(true);
      }
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="totp-title">
      <h2 id="totp-title">{t('totp.title')}</h2>
      <p>{on ? t('totp.on') : t('totp.off')}</p>
      {recovery ? (
        <div className="notice" ref={codes} tabIndex={-1}>
          <p>{t('totp.recoveryOnce')}</p>
          <pre>{recovery.join('\n')}</pre>
          <CopyButton text={recovery.join('\n')} />
        </div>
      ) : null}
      {pending ? (
        <div>
          <p>{t('totp.scan')}</p>
          <QrCode text={pending.otpauth_url} label={t('totp.qrLabel')} />
          <p>
            <a href={pending.otpauth_url}>{t('totp.openApp')}</a> · <code>{pending.secret}</code>
          </p>
        </div>
      ) : null}
      {!on && !pending ? (
        <button type="button" onClick={() => void start()}>
          {t('totp.start')}
        </button>
      ) : (
        <form className="narrow-form" onSubmit={(e) => void confirm(e)}>
          <Field label={t('login.totp')}>{(id) => <input id={id} name="code" inputMode="numeric" autoComplete="one-time-code" required />}</Field>
          <button type="submit" className={on ? 'danger' : undefined}>
            {on ? t('totp.disable') : t('totp.enable')}
          </button>
        </form>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
