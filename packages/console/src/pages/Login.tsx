/**
 * /login: a plain form (email, password) posting to POST /console/api/session. A wrong
 * password and an unknown email get the same answer; when the account has two-factor sign-in
 * the server answers `totp_required` and the form asks for the six-digit code as well.
 */
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ErrorNote, Field } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { api, ApiError } from '../lib/api';
import { useSession, type Session } from '../session';
import { useConfig } from '../config';
import { underBase } from '../lib/base';

export function LoginPage() {
  const { t } = useI18n();
  const { session, signedIn } = useSession();
  const config = useConfig();
  const location = useLocation();
  const [totp, setTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const next = (location.state as { from?: string } | null)?.from ?? '/';
  if (session) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { email: String(form.get('email')), password: String(form.get('password')) };
      if (totp) body.totp_code = String(form.get('totp_code') ?? '');
      signedIn(await api<Session>('POST', 'console/api/session', body));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required' && !totp) setTotp(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-card" id="main">
      <h1>{t('login.title')}</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <Field label={t('login.email')}>{(id) => <input id={id} type="email" name="email" autoComplete="username" required autoFocus />}</Field>
        <Field label={t('login.password')}>{(id) => <input id={id} type="password" name="password" autoComplete="current-password" required />}</Field>
        {totp ? (
          <Field label={t('login.totp')} hint={t('login.totpHint')}>
            {(id) => <input id={id} name="totp_code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9A-Za-z-]{6,20}" required autoFocus />}
          </Field>
        ) : null}
        <div id="login-error">{error ? <LoginError error={error} /> : null}</div>
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
      {config?.oidc.enabled ? (
        <p>
          <a className="button secondary" href={underBase('console/api/oidc/start')}>
            {t('login.oidc', { name: config.oidc.name })}
          </a>
        </p>
      ) : null}
    </main>
  );
}

function LoginError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 401) {
    return (
      <p className="error" role="alert">
        {t('login.failed')}
      </p>
    );
  }
  return <ErrorNote error={error} />;
}
