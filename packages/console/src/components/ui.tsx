/** Small building blocks every page uses: labelled fields, error notes, copy buttons, loading. */
import { useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { findEntry } from '@tollgate/protocol';
import { ApiError } from '../lib/api';

/**
 * A label and its control; the control gets the label's id through the render prop, and the
 * hint's id (when there is a hint) for its `aria-describedby`.
 */
export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, hintId: string | undefined) => ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint ? (
        <small className="hint" id={hintId}>
          {hint}
        </small>
      ) : null}
    </div>
  );
}

/**
 * A refusal the console says in its own words instead of the API's message, which is written for
 * a caller of the API (a 403 names the missing scopes): the role refusal anywhere, plus what the
 * page knows about its own requests (`explain`).
 */
function plainSentence(e: ApiError, explain?: (e: ApiError) => MessageKey | undefined): MessageKey | undefined {
  const own = explain?.(e);
  if (own) return own;
  if (e.status === 403 && e.code === 'insufficient_permissions') return 'error.roleNotPermitted';
  return undefined;
}

/**
 * An error from the API (its catalog message, or the plain sentence the console has for it) or
 * any other failure, announced to screen readers. In Chinese, a catalog error is said first by the
 * catalog's Chinese title and fix. `explain` names the sentence for a refusal the
 * page expects (a project the viewer no longer may use).
 */
export function ErrorNote({ error, explain }: { error: unknown; explain?: (e: ApiError) => MessageKey | undefined }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  const plain = error instanceof ApiError ? plainSentence(error, explain) : undefined;
  // The gateway's messages are OpenAI's English wording; in another language the catalog's own
  // title and fix for the error come first, and the message follows, marked as English.
  const entry = error instanceof ApiError && !plain && lang !== 'en' && error.code ? findEntry(error.code) : undefined;
  const text = error instanceof ApiError ? (plain ? t(plain) : error.message) : t('error.unexpected');
  return (
    <p className="error" role="alert">
      {entry ? (
        <>
          {entry.title[lang]}{t('error.sentenceEnd')}
          {entry.fix[lang]}{' '}
          <span lang="en">{text}</span>
        </>
      ) : (
        text
      )}
      {/* A space, not only a margin: copied or read aloud, the code is not glued to the sentence. */}
      {error instanceof ApiError && error.code ? (
        <>
          {' '}
          <code className="code">{error.code}</code>
        </>
      ) : null}
      {error instanceof ApiError && error.code === 'totp_setup_required' ? (
        <>
          {' '}
          <Link to="/account">{t('error.setUpTotp')}</Link>
        </>
      ) : null}
    </p>
  );
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button type="button" className="secondary" onClick={copy} aria-live="polite">
      {copied ? t('common.copied') : (label ?? t('common.copy'))}
    </button>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-title">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

/**
 * A table that scrolls sideways on a narrow screen. `headers` are column titles; with `actions`
 * a last column for buttons, titled for screen readers only.
 */
export function DataTable({ headers, actions = false, children }: { headers: string[]; actions?: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {headers.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A table row's button: the visible `label` is short ("Revoke"); `ariaLabel` names the row's object
 * ("Revoke key ci"), so a screen reader hears which row it acts on.
 */
export function RowAction({ label, ariaLabel, kind = 'secondary', onClick }: { label: string; ariaLabel: string; kind?: 'secondary' | 'danger'; onClick: () => void }) {
  return (
    <button type="button" className={kind} onClick={onClick} aria-label={ariaLabel}>
      {label}
    </button>
  );
}

/** A form's labelled select: `options` are [value, text] pairs; without `defaultValue` the first is selected. */
export function SelectField({
  label,
  name,
  options,
  defaultValue,
  required,
  hint,
}: {
  label: string;
  name: string;
  options: readonly (readonly [value: string, text: string])[];
  defaultValue?: string;
  required?: boolean;
  hint?: string;
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(id, hintId) => (
        <select id={id} name={name} defaultValue={defaultValue} required={required} aria-describedby={hintId}>
          {options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A form's labelled `role` select: `roles` are [value, label] pairs, the first selected by default. */
export function RoleField({ label, roles }: { label: string; roles: [value: string, label: string][] }) {
  return <SelectField label={label} name="role" options={roles} defaultValue={roles[0]?.[0]} />;
}
