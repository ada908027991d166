/**
 * /setup#token=…: first run. The one-time setup link the gateway printed at first start makes
 * the first owner (POST /console/api/setup) and signs them in.
 */
import { Navigate, useLocation } from 'react-router';
import { ErrorNote, Field } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { tokenFromHash } from '../lib/hash-token';
import { useSession, type Session } from '../session';
import { PasswordFields, useNewPasswordForm } from './password-fields';

export function SetupPage() {
  const { t } = useI18n();
  const { signedIn, session } = useSession();
  const token = tokenFromHash(useLocation().hash);
  const { error, mismatch, busy, onSubmit } = useNewPasswordForm(async (f) => {
    signedIn(await api<Session>('POST', 'console/api/setup', { token, email: f.get('email'), name: f.get('name'), password: f.get('password') }));
  });
  if (session) return <Navigate to="/" replace />;

  return (
    <main className="auth-card" id="main">
      <h1>{t('setup.title')}</h1>
      <p>{t('setup.intro')}</p>
      {token ? null : (
        <p className="error" role="alert">
          {t('setup.noToken')}
        </p>
      )}
      <form onSubmit={onSubmit}>
        <Field label={t('common.name')}>{(id) => <input id={id} name="name" autoComplete="name" required />}</Field>
        <Field label={t('login.email')}>{(id) => <input id={id} type="email" name="email" autoComplete="username" required />}</Field>
        <PasswordFields mismatch={mismatch} />
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || !token}>
          {t('setup.submit')}
        </button>
      </form>
    </main>
  );
}
