/**
 * A project's per-model rate limits (requests and tokens per minute and per day), each row saved
 * on its own: POST /projects/{id}/rate_limits/{rate_limit_id}. A project's limit may only be
 * at or below the organization's; the gateway says so when it is not.
 *
 * A field the project sets itself shows its value; a field it leaves to the organization is empty,
 * with the organization's limit as its placeholder, and says so under it. Clearing a field of the
 * project's own and saving sends null, which removes it (the organization's limit applies again).
 * Every save says what it did: saved, or nothing to save. `readOnly` (an archived project): the
 * fields are shown disabled, with no save.
 */
import { useState } from 'react';
import { LoadedSection } from '../../components/LoadedSection';
import { DataTable } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/api';
import { formatLimit, LIMIT_FIELDS, limitChanges, projectRateLimits, type ProjectRateLimit } from '../../lib/limits';
import { projectPath, type Project } from '../../lib/org-api';

export function RateLimitsTable({ project, readOnly }: { project: Project; readOnly: boolean }) {
  const { t, lang } = useI18n();
  const limits = useLoad(() => projectRateLimits(project.id), [project.id]);
  const save = useAction(limits.reload);
  const [outcome, setOutcome] = useState<{ model: string; saved: boolean }>();

  const saveRow = (row: ProjectRateLimit, form: HTMLFormElement) => {
    const f = new FormData(form);
    const body = limitChanges(row, (field) => String(f.get(field) ?? ''));
    setOutcome(undefined);
    if (Object.keys(body).length === 0) {
      setOutcome({ model: row.model, saved: false });
      return;
    }
    void save.run(() => api('POST', projectPath(project.id, `/rate_limits/${encodeURIComponent(row.id)}`), body)).then((ok) => ok && setOutcome({ model: row.model, saved: true }));
  };

  return (
    <LoadedSection id="rl-title" level={3} title={t('projects.rateLimits')} intro={<p className="muted">{t('projects.rateLimitsIntro')}</p>} loaded={limits} change={save}>
      {(rows) => (
        <>
          {outcome ? (
            <p className="notice" role="status" data-testid="rate-limits-outcome">
              {t(outcome.saved ? 'projects.limitsSaved' : 'projects.limitsUnchanged', { model: outcome.model })}
            </p>
          ) : null}
          <DataTable headers={[t('limits.model'), ...LIMIT_FIELDS.map((l) => t(l.label))]} actions={!readOnly}>
            {rows.map((row) => (
              // Keyed by what it shows, so that a saved change re-reads every field from the gateway.
              <tr key={`${row.id} ${LIMIT_FIELDS.map((l) => row[l.field]).join()} ${row.overridden_fields.join()}`} data-model={row.model}>
                <th scope="row">{row.model}</th>
                {LIMIT_FIELDS.map((l) => {
                  const own = row.overridden_fields.includes(l.field);
                  const org = row.organization_limits[l.field];
                  const hintId = `rl-${row.id}-${l.field}-source`;
                  return (
                    <td key={l.field} data-field={l.field} data-source={own ? 'project' : 'organization'}>
                      <input
                        form={`rl-${row.id}`}
                        name={l.field}
                        type="number"
                        min={0}
                        step={1}
                        defaultValue={own ? (row[l.field] ?? '') : ''}
                        placeholder={org === null ? t('limits.unlimited') : formatLimit(org, lang)}
                        aria-label={t('projects.limitOf', { limit: t(l.label), model: row.model })}
                        aria-describedby={hintId}
                        className="num"
                        disabled={readOnly}
                      />
                      <small className="hint block" id={hintId}>
                        {own ? t('projects.limitOwn', { limit: org === null ? t('limits.unlimited') : formatLimit(org, lang) }) : t('projects.limitInherited')}
                      </small>
                    </td>
                  );
                })}
                {readOnly ? null : (
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
                )}
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </LoadedSection>
  );
}
