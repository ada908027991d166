/**
 * Which models a project may use: every model (no list), only the allowed ones, or every model but
 * the denied ones. POST /projects/{id}/model_permissions {mode, model_ids}; DELETE clears it.
 * `readOnly` (an archived project): the choices are shown disabled, with no save.
 */
import { LoadedSection } from '../../components/LoadedSection';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import { projectRateLimits } from '../../lib/limits';
import { projectPath, type Project } from '../../lib/org-api';

interface Permissions {
  mode: 'allow_list' | 'deny_list';
  model_ids: string[];
}

export function ModelPermissions({ project, readOnly }: { project: Project; readOnly: boolean }) {
  const { t } = useI18n();
  const path = projectPath(project.id, '/model_permissions');
  const data = useLoad(async () => {
    const [perms, limits] = await Promise.all([api<Permissions>('GET', path), projectRateLimits(project.id)]);
    return { perms, models: limits.map((l) => l.model) };
  }, [path]);
  const save = useAction(data.reload);

  return (
    <LoadedSection id="mp-title" level={3} title={t('projects.modelPermissions')} loaded={data} change={save}>
      {({ perms, models }) => (
        <form
          key={JSON.stringify(perms)}
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const mode = String(f.get('mode'));
            const ids = f.getAll('model_ids').map(String);
            void save.run(() => (mode === 'all' ? api('DELETE', path) : api('POST', path, { mode, model_ids: ids })));
          }}
        >
          <fieldset disabled={readOnly}>
            <legend>{t('projects.modelMode')}</legend>
            {(['all', 'allow_list', 'deny_list'] as const).map((m) => (
              <label key={m}>
                <input
                  type="radio"
                  name="mode"
                  value={m}
                  defaultChecked={m === 'all' ? perms.mode === 'deny_list' && perms.model_ids.length === 0 : perms.mode === m && perms.model_ids.length > 0}
                />{' '}
                {t(`projects.mode.${m}`)}
              </label>
            ))}
          </fieldset>
          <fieldset disabled={readOnly}>
            <legend>{t('projects.models')}</legend>
            {models.map((m) => (
              <label key={m}>
                <input type="checkbox" name="model_ids" value={m} defaultChecked={perms.model_ids.includes(m)} /> <code>{m}</code>
              </label>
            ))}
          </fieldset>
          {readOnly ? null : (
            <button type="submit" className="secondary" disabled={save.busy}>
              {t('common.save')}
            </button>
          )}
        </form>
      )}
    </LoadedSection>
  );
}
