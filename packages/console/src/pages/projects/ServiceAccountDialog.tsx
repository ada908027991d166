/**
 * The dialogs of one service account that ask for a name: renaming it (POST
 * .../service_accounts/{id} {name}) and creating another key for it (POST
 * .../service_accounts/{id}/api_keys {name}; all permissions, as the account's first key). While
 * the change runs the button waits; a failure is said in the dialog, which closes once it succeeded.
 */
import { useId } from 'react';
import { Dialog, DialogFormButtons } from '../../components/Dialog';
import { ErrorNote, Field } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import type { CreatedKey } from '../api-keys/CreateKeyForm';

export interface ServiceAccount {
  id: string;
  name: string;
  /** `none`: created without its key, before any role was given (only an update gives one). */
  role: 'owner' | 'member' | 'none';
  created_at: number;
}

export type AccountChange = 'rename' | 'key';

export function ServiceAccountDialog({
  change,
  account,
  path,
  onClose,
  onDone,
}: {
  change: AccountChange;
  account: ServiceAccount;
  /** The account's path in the Administration API. */
  path: string;
  onClose(): void;
  /** After the change: the key made (shown once by the caller), or nothing for a rename. */
  onDone(created?: CreatedKey): void;
}) {
  const { t } = useI18n();
  const act = useAction();
  const introId = useId();
  const rename = change === 'rename';
  const submit = act.submit(async (f) => {
    const name = String(f.get('name'));
    if (rename) {
      await api('POST', path, { name });
      onDone();
    } else {
      const k = await api<{ name: string; value: string }>('POST', `${path}/api_keys`, { name });
      onDone({ name: k.name, value: k.value });
    }
  });
  return (
    <Dialog title={t(rename ? 'projects.renameSaTitle' : 'projects.saCreateKeyTitle', { name: account.name })} onClose={onClose} {...(rename ? {} : { describedBy: introId })}>
      {rename ? null : <p id={introId}>{t('projects.saCreateKeyIntro')}</p>}
      <form className="grid-form" onSubmit={submit}>
        <Field label={t(rename ? 'projects.saNewName' : 'projects.saKeyName')}>
          {(id) => <input id={id} name="name" required maxLength={200} defaultValue={rename ? account.name : ''} />}
        </Field>
        <ErrorNote error={act.error} />
        <DialogFormButtons onCancel={onClose} action={t(rename ? 'common.save' : 'projects.saCreateKey')} busy={act.busy} />
      </form>
    </Dialog>
  );
}
