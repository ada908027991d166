/**
 * Invite a person: POST /v1/organization/invites {email, role, projects}. The answer's one-time
 * token becomes the invite link shown here to pass on (Tollgate sends e-mail only when SMTP is
 * configured; the link always works). An owner invites owners or readers into any project; a
 * reader invites readers, into the projects given (theirs), as the gateway allows a reader.
 */
import { useState, type FormEvent } from 'react';
import { CopyButton, ErrorNote, Field, RoleField } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import { pageUrl } from '../../lib/base';
import { ORG, type Project } from '../../lib/org-api';

export function InviteForm({ projects, owner, onInvited }: { projects: Project[]; owner: boolean; onInvited(): void }) {
  const { t } = useI18n();
  // email_sent: true, false (the mail server failed), or null (SMTP is not configured).
  const [link, setLink] = useState<{ email: string; url: string; emailSent: boolean | null }>();
  const { error, busy, run } = useAction(onInvited);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const chosen = f.getAll('project').map(String);
    const sent = await run(async () => {
      const r = await api<{ email: string; token: string; email_sent?: boolean | null }>('POST', `${ORG}/invites`, {
        email: f.get('email'),
        role: f.get('role'),
        ...(chosen.length ? { projects: chosen.map((id) => ({ id, role: 'member' })) } : {}),
      });
      setLink({ email: r.email, url: pageUrl(`invite#token=${encodeURIComponent(r.token)}`), emailSent: r.email_sent ?? null });
    });
    if (sent) form.reset();
  };

  return (
    <section aria-labelledby="invite-title">
      <h2 id="invite-title">{t('people.invite')}</h2>
      <form className="grid-form" onSubmit={(e) => void submit(e)}>
        <Field label={t('common.email')}>{(id) => <input id={id} type="email" name="email" required />}</Field>
        <RoleField label={t('common.role')} roles={owner ? [['reader', t('role.reader')], ['owner', t('role.owner')]] : [['reader', t('role.reader')]]} />
        {owner ? null : <small className="hint">{t('people.readerInvites')}</small>}
        <fieldset>
          <legend>{t('people.projects')}</legend>
          {projects.map((p) => (
            <label key={p.id}>
              <input type="checkbox" name="project" value={p.id} /> {p.name}
            </label>
          ))}
          <small className="hint">{t('people.projectsHint')}</small>
        </fieldset>
        <ErrorNote error={error} />
        <div>
          <button type="submit" disabled={busy}>
            {t('people.inviteSubmit')}
          </button>
        </div>
      </form>
      {link ? (
        <div className="notice" role="status">
          <p>{t('people.linkFor', { email: link.email })}</p>
          <div className="secret-row">
            <input className="secret" aria-label={t('people.link')} value={link.url} readOnly data-testid="invite-link" />
            <CopyButton text={link.url} />
          </div>
          {link.emailSent === true ? <p>{t('people.emailSent', { email: link.email })}</p> : null}
          {link.emailSent === false ? <p>{t('people.emailFailed', { email: link.email })}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
