/** A new password typed twice (setup, invite acceptance, password change). */
import { useState, type FormEvent } from 'react';
import { Field } from '../components/ui';
import { useI18n } from '../i18n/i18n';

export const MIN_PASSWORD = 12;

export function PasswordFields({ mismatch }: { mismatch: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <Field label={t('password.new')} hint={t('password.rule', { n: MIN_PASSWORD })}>
        {(id) => <input id={id} type="password" name="password" autoComplete="new-password" minLength={MIN_PASSWORD} required />}
      </Field>
      <Field label={t('password.repeat')}>{(id) => <input id={id} type="password" name="password_repeat" autoComplete="new-password" minLength={MIN_PASSWORD} required />}</Field>
      {mismatch ? (
        <p className="error" role="alert">
          {t('password.mismatch')}
        </p>
      ) : null}
    </>
  );
}

/** The two entries agree (a form without the repeat field, signing in to an existing account, has nothing to compare). */
export const passwordsMatch = (f: FormData): boolean => !f.has('password_repeat') || f.get('password') === f.get('password_repeat');

/**
 * State of a form that sets a new password: checks the two entries agree before sending,
 * then keeps the sending flag and the server's error.
 */
export function useNewPasswordForm(send: (f: FormData, form: HTMLFormElement) => Promise<void>) {
  const [error, setError] = useState<unknown>();
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setMismatch(!passwordsMatch(f));
    if (!passwordsMatch(f)) return;
    setBusy(true);
    setError(undefined);
    try {
      await send(f, form);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, mismatch, busy, onSubmit: (e: FormEvent<HTMLFormElement>) => void submit(e) };
}
