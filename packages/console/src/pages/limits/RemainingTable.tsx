/**
 * Per model, each rate limit with what is left of it right now ("47 left of 50"), as the gateway's
 * counters hold it (read without changing them). Limits refill continuously, so the figures grow
 * back between requests; "Refresh" reads them again.
 */
import { DataTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { formatLimit, LIMIT_FIELDS, type RateLimit } from '../../lib/limits';

export function RemainingTable({ rows }: { rows: RateLimit[] }) {
  const { t, lang } = useI18n();
  return (
    <DataTable headers={[t('limits.model'), ...LIMIT_FIELDS.map((l) => t(l.label))]}>
      {rows.map((r) => (
        <tr key={r.id} data-model={r.model}>
          <th scope="row">{r.model}</th>
          {LIMIT_FIELDS.map((l) => {
            const limit = r[l.field];
            const left = r[l.remaining];
            return (
              <td key={l.field} data-field={l.field} {...(left === undefined || left === null ? {} : { 'data-remaining': left })}>
                {limit === null ? (
                  <span title={t('limits.unlimited')}>{formatLimit(null, lang)}<span className="visually-hidden">{t('limits.unlimited')}</span></span>
                ) : left === undefined || left === null ? (
                  formatLimit(limit, lang)
                ) : (
                  <>
                    <strong>{t('limits.left', { left: formatLimit(left, lang) })}</strong>
                    <span className="muted"> {t('limits.ofLimit', { limit: formatLimit(limit, lang) })}</span>
                  </>
                )}
              </td>
            );
          })}
        </tr>
      ))}
    </DataTable>
  );
}
