/**
 * /invite#token=…: the invitee sees which organization invited them and with which role, sets
 * their name and a password (or, with an account already, gives its password), and joins
 * (POST /console/api/invites/accept), signed in at once.
 */
import { useLocation, useNavigate } from 'react-router';
import { ErrorNote, Field, Loading } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { tokenFromHash } from '../lib/hash-token';
import { formatTime } from '../lib/time';
import { useSession, type Session } from '../session';
import { PasswordFields, useNewPasswordForm } from './password-fields';

interface InviteInfo {
  email: string;
  role: string;
  organization: { name: string };
  expires_at: number;
  status?: 'pending' | 'accepted' | 'expired';
  /** The email has an account: accepting takes its current password, no new one. */
  existing_account?: boolean;
}

export function InvitePage() {
  const { t, lang } = useI18n();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const token = tokenFromHash(useLocation().hash);
  const invite = useLoad(() => api<InviteInfo>('GET', `console/api/invites/${encodeURIComponent(token)}`), [token]);
  const { error, mismatch, busy, onSubmit } = useNewPasswordForm(async (f) => {
    const body = invite.data?.existing_account ? { token, password: f.get('password') } : { token, name: f.get('name'), password: f.get('password') };
    signedIn(await api<Session>('POST', 'console/api/invites/accept', body));
    await navigate('/', { replace: true });
  });

  const info = invite.data;
  return (
    <main className="auth-card" id="main">
      <h1>{t('invite.title')}</h1>
      {invite.error ? <ErrorNote error={invite.error} /> : null}
      {!info && !invite.error ? <Loading /> : null}
      {info ? (
        <>
          <p>{t('invite.intro', { org: info.organization.name, role: t(info.role === 'owner' ? 'role.owner' : 'role.reader') })}</p>
          <p className="muted">{t('invite.expires', { time: formatTime(info.expires_at, lang) })}</p>
          {info.status && info.status !== 'pending' ? (
            <p className="error" role="alert">
              {t(info.status === 'accepted' ? 'invite.used' : 'invite.expired')}
            </p>
          ) : null}
          <form onSubmit={onSubmit}>
            <Field label={t('login.email')}>{(id) => <input id={id} type="email" name="email" value={info.email} readOnly />}</Field>
            {info.existing_account ? (
              <Field label={t('login.password')} hint={t('invite.existingHint')}>
                {(id) => <input id={id} type="password" name="password" autoComplete="current-password" required />}
              </Field>
            ) : (
              <>
                <Field label={t('common.name')}>{(id) => <input id={id} name="name" autoComplete="name" required />}</Field>
                <PasswordFields mismatch={mismatch} />
              </>
            )}
            <ErrorNote error={error} />
            <button type="submit" disabled={busy}>
              {t('invite.submit')}
            </button>
          </form>
        </>
      ) : null}
    </main>
  );
}
