/**
 * A project's per-model rate limits (requests and tokens per minute and per day), each row saved
 * on its own: POST /projects/{id}/rate_limits/{rate_limit_id}. A project's limit may only be
 * at or below the organization's; the gateway says so when it is not.
 */
import { LoadedSection } from '../../components/LoadedSection';
import { DataTable } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import { LIMIT_FIELDS, projectRateLimits, type RateLimit } from '../../lib/limits';
import { projectPath, type Project } from '../../lib/org-api';

export function RateLimitsTable({ project }: { project: Project }) {
  const { t } = useI18n();
  const limits = useLoad(() => projectRateLimits(project.id), [project.id]);
  const save = useAction(limits.reload);

  const saveRow = (row: RateLimit, form: HTMLFormElement) => {
    const f = new FormData(form);
    const body: Record<string, number> = {};
    for (const { field } of LIMIT_FIELDS) {
      const v = String(f.get(field) ?? '').trim();
      if (v !== '' && Number(v) !== row[field]) body[field] = Number(v);
    }
    if (Object.keys(body).length === 0) return;
    void save.run(() => api('POST', projectPath(project.id, `/rate_limits/${encodeURIComponent(row.id)}`), body));
  };

  return (
    <LoadedSection id="rl-title" level={3} title={t('projects.rateLimits')} intro={<p className="muted">{t('projects.rateLimitsIntro')}</p>} loaded={limits} change={save}>
      {(rows) => (
        <DataTable headers={[t('limits.model'), ...LIMIT_FIELDS.map((l) => t(l.label))]} actions>
              {rows.map((row) => (
                <tr key={row.id} data-model={row.model}>
                  <th scope="row">{row.model}</th>
                  {LIMIT_FIELDS.map((l) => (
                    <td key={l.field}>
                      <input
                        form={`rl-${row.id}`}
                        name={l.field}
                        type="number"
                        min={0}
                        step={1}
                        defaultValue={row[l.field] ?? ''}
                        aria-label={t('projects.limitOf', { limit: t(l.label), model: row.model })}
                        className="num"
                      />
                    </td>
                  ))}
                  <td>
                    <form
                      id={`rl-${row.id}`}
                      onSubmit={(e) => {
                        e.preventDefault();
                        saveRow(row, e.currentTarget);
                      }}
                    >
                      <button type="submit" className="secondary" disabled={save.busy} aria-label={t('projects.saveLimitsOf', { model: row.model })}>
                        {t('common.save')}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
        </DataTable>
      )}
    </LoadedSection>
  );
}
