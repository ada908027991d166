/** The viewer's own account: password, two-factor sign-in, and signing out everywhere. */
import { useState } from 'react';
import { ErrorNote, Field, PageTitle } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { useSession, useSignedIn, type Session } from '../session';
import { PasswordFields, useNewPasswordForm } from './password-fields';
import { TotpSection } from './account/TotpSection';

export function AccountPage() {
  const { t } = useI18n();
  const session = useSignedIn();
  const { signOut, signedIn } = useSession();
  const [done, setDone] = useState(false);
  const { error, mismatch, onSubmit } = useNewPasswordForm(async (f, form) => {
    setDone(false);
    // The answer is a new session (every other one ends), with its own CSRF token.
    signedIn(await api<Session>('POST', 'console/api/password', { current_password: f.get('current_password'), new_password: f.get('password') }));
    form.reset();
    setDone(true);
  });

  return (
    <>
      <PageTitle title={t('account.title')} />
      <p>
        {session.user.name} · {session.user.email}
      </p>
      <section aria-labelledby="pw-title">
        <h2 id="pw-title">{t('account.passwordTitle')}</h2>
        <form className="narrow-form" onSubmit={onSubmit}>
          <Field label={t('account.currentPassword')}>
            {(id) => <input id={id} type="password" name="current_password" autoComplete="current-password" minLength={1} required />}
          </Field>
          <PasswordFields mismatch={mismatch} />
          <ErrorNote error={error} />
          {done ? <p role="status">{t('account.passwordChanged')}</p> : null}
          <button type="submit">
            {t('account.passwordSubmit')}
          </button>
        </form>
      </section>
      <TotpSection enabled={session.user.totp_enabled} />
      <section aria-labelledby="everywhere-title">
        <h2 id="everywhere-title">{t('account.sessionsTitle')}</h2>
        <p className="muted">{t('account.sessionsIntro')}</p>
        <button type="button" className="danger" onClick={() => void signOut(true)}>
          {t('account.signOutEverywhere')}
        </button>
      </section>
    </>
  );
}
