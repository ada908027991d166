/**
 * The create-key form. Owner "me": POST /console/api/api_keys {name, project_id, permissions,
 * scopes?} (a user key; OpenAI's Administration API has no user-key create). Owner "service
 * account": POST /v1/organization/projects/{id}/service_accounts {name}, which answers with the
 * new account's key (service-account keys have all permissions, as in the API); an organization
 * owner's change, so anyone else sees the choice disabled with the reason. The projects are the
 * ones the viewer may make keys in; one they are a member of is chosen first.
 */
import { useId, useState, type FormEvent } from 'react';
import { ErrorNote, Field, SelectField } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api, ApiError } from '../../lib/api';
import { projectPath, type MyProject } from '../../lib/org-api';

export interface CreatedKey {
  name: string;
  value: string;
}

/** The scopes a restricted key may hold (the gateway's list) and what they are called on screen. */
const SCOPES: { scope: string; label: MessageKey }[] = [
  { scope: 'api.model.read', label: 'keys.scope.models' },
  { scope: 'model.request', label: 'keys.scope.requests' },
  { scope: 'api.responses.read', label: 'keys.scope.responsesRead' },
  { scope: 'api.responses.write', label: 'keys.scope.responsesWrite' },
];

type Permissions = 'all' | 'restricted' | 'read_only';

/** The gateway refuses a project the viewer may no longer use (removed from it, or it was archived) as not found. */
const projectGone = (e: ApiError): MessageKey | undefined => (e.code === 'resource_not_found' && e.param === 'project_id' ? 'keys.projectUnavailable' : undefined);

export function CreateKeyForm({
  projects,
  owner: isOwner,
  onCreated,
  onProjectGone,
}: {
  projects: MyProject[];
  /** Whether the viewer owns the organization (may create service accounts). */
  owner: boolean;
  onCreated(k: CreatedKey): void;
  /** The project chosen is no longer one the viewer may use: the list is read again. */
  onProjectGone(): void;
}) {
  const { t } = useI18n();
  const saHint = useId();
  const [owner, setOwner] = useState<'user' | 'service_account'>('user');
  const [permissions, setPermissions] = useState<Permissions>('all');
  const { error, busy, run } = useAction();
  const preferred = projects.find((p) => p.role !== null) ?? projects[0];

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const name = String(f.get('name'));
    const projectId = String(f.get('project_id'));
    const created = await run(async () => {
      if (owner === 'user') {
        const scopes = permissions === 'restricted' ? f.getAll('scopes').map(String) : undefined;
        const k = await api<{ name: string; value: string }>('POST', 'console/api/api_keys', { name, project_id: projectId, permissions, ...(scopes ? { scopes } : {}) }).catch((e: unknown) => {
          if (e instanceof ApiError && projectGone(e)) onProjectGone();
          throw e;
        });
        onCreated({ name: k.name, value: k.value });
      } else {
        const sa = await api<{ name: string; api_key: { value: string } }>('POST', projectPath(projectId, '/service_accounts'), { name });
        onCreated({ name: sa.name, value: sa.api_key.value });
      }
    });
    if (!created) return;
    form.reset();
    setOwner('user');
    setPermissions('all');
  };

  return (
    <section aria-labelledby="create-key">
      <h2 id="create-key">{t('keys.create')}</h2>
      <form className="grid-form" onSubmit={(e) => void submit(e)}>
        <Field label={t('common.name')}>{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
        <SelectField
          label={t('keys.project')}
          name="project_id"
          required
          options={projects.map((p) => [p.id, p.name] as const)}
          {...(preferred ? { defaultValue: preferred.id } : {})}
          {...(isOwner ? {} : { hint: t('keys.projectsHint') })}
        />
        {projects.length === 0 ? <p className="muted">{t('keys.noProjects')}</p> : null}
        <fieldset>
          <legend>{t('keys.owner')}</legend>
          <label>
            <input type="radio" name="owner" value="user" checked={owner === 'user'} onChange={() => setOwner('user')} /> {t('keys.ownerMe')}
          </label>
          <label>
            <input
              type="radio"
              name="owner"
              value="service_account"
              checked={owner === 'service_account'}
              onChange={() => setOwner('service_account')}
              disabled={!isOwner}
              {...(isOwner ? {} : { 'aria-describedby': saHint })}
            />{' '}
            {t('keys.ownerServiceAccount')}
          </label>
          {isOwner ? null : (
            <small className="hint" id={saHint}>
              {t('keys.serviceAccountOwnersOnly')}
            </small>
          )}
        </fieldset>
        {owner === 'user' ? (
          <fieldset>
            <legend>{t('keys.permissions')}</legend>
            {(['all', 'restricted', 'read_only'] as const).map((p) => (
              <label key={p}>
                <input type="radio" name="permissions" value={p} checked={permissions === p} onChange={() => setPermissions(p)} /> {t(`keys.perm.${p}`)}
              </label>
            ))}
            {permissions === 'restricted' ? (
              <div className="scopes">
                {SCOPES.map((s) => (
                  <label key={s.scope}>
                    <input type="checkbox" name="scopes" value={s.scope} defaultChecked /> {t(s.label)} <code>{s.scope}</code>
                  </label>
                ))}
              </div>
            ) : null}
          </fieldset>
        ) : (
          <p className="muted">{t('keys.serviceAccountNote')}</p>
        )}
        <ErrorNote error={error} explain={projectGone} />
        <div>
          <button type="submit" disabled={busy || projects.length === 0}>
            {t('keys.createSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}
