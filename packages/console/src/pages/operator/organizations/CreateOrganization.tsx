/**
 * Creates an organization with its first owner and tier (POST /admin/v1/organizations with
 * `owner: {email, name}`): an existing account is made owner by its email; a new one needs a name.
 * The owner then signs in once the operator sets a password, or with single sign-on.
 */
import { useState } from 'react';
import { ErrorNote, Field } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useI18n } from '../../../i18n/i18n';
import { api, type ApiError } from '../../../lib/api';
import type { MessageKey } from '../../../i18n/messages';
import { ADMIN, type AdminOrganization, type Tier } from '../../../lib/admin-api';
import { TierField } from './TierField';

/** The gateway's 400 for a new account without a name, in the form's words. */
const ownerNameNeeded = (e: ApiError): MessageKey | undefined => (e.status === 400 && e.param === 'owner.name' ? 'orgs.ownerNameNeeded' : undefined);

export function CreateOrganization({ tiers, onCreated }: { tiers: Tier[]; onCreated: () => void }) {
  const { t } = useI18n();
  const create = useAction(onCreated);
  const [created, setCreated] = useState<AdminOrganization>();
  return (
    <section aria-labelledby="orgs-create">
      <h2 id="orgs-create">{t('orgs.create')}</h2>
      <form
        className="grid-form"
        onSubmit={create.submit(async (f) => {
          const name = String(f.get('owner_name') ?? '').trim();
          const body = { name: String(f.get('name')).trim(), tier: String(f.get('tier')), owner: { email: String(f.get('owner_email')).trim(), ...(name ? { name } : {}) } };
          setCreated(undefined);
          setCreated(await api<AdminOrganization>('POST', `${ADMIN}/organizations`, body));
        })}
      >
        <Field label={t('orgs.name')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
        <TierField tiers={tiers} />
        <Field label={t('orgs.ownerEmail')}>{(id) => <input id={id} name="owner_email" type="email" required autoComplete="off" />}</Field>
        <Field label={t('orgs.ownerName')} hint={t('orgs.ownerNameHint')}>
          {(id) => <input id={id} name="owner_name" maxLength={200} autoComplete="off" />}
        </Field>
        <div>
          <button type="submit" disabled={create.busy}>
            {t('orgs.createSubmit')}
          </button>
        </div>
      </form>
      <ErrorNote error={create.error} explain={ownerNameNeeded} />
      {created ? (
        <p className="notice" role="status">
          {t('orgs.created', { name: created.name, email: created.owner?.email ?? '—' })}
        </p>
      ) : null}
    </section>
  );
}
