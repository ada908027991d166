/** Checkboxes of the status page's components (models, the API, the console), in a labelled group. */
import { useI18n } from '../../../i18n/i18n';
import { ComponentName } from './ComponentName';
import type { StatusComponent } from './types';

export function ComponentsField({ components, legend }: { components: StatusComponent[]; legend: string }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{legend}</legend>
      {components.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
      {components.map((c) => (
        <label key={c.id}>
          <input type="checkbox" name="components" value={c.id} /> <ComponentName name={c.name} />
        </label>
      ))}
    </fieldset>
  );
}

export const checkedComponents = (f: FormData): string[] => f.getAll('components').map(String);
