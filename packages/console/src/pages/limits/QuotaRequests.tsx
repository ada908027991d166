/**
 * Asking for a higher monthly hard limit (POST /console/api/quota_requests {hard_limit_usd,
 * reason}) and following the requests' status (pending, approved, rejected with the operator's note).
 */
import { DataTable, ErrorNote, Field } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/time';
import { formatUsd } from '../projects/SpendLimit';

export interface QuotaRequest {
  id: string;
  requested_hard_limit_usd: number;
  previous_hard_limit_usd: number | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  /** The organization's name and hard limit now (gateways before these fields leave them out). */
  organization_name?: string | null;
  current_hard_limit_usd?: number | null;
  note: string | null;
  created_at: number;
  decided_at: number | null;
}

export function QuotaRequests({ requests, onSent }: { requests: QuotaRequest[]; onSent(): void }) {
  const { t, lang } = useI18n();
  const send = useAction(onSent);
  return (
    <section aria-labelledby="quota-title">
      <h2 id="quota-title">{t('limits.quotaTitle')}</h2>
      <p className="muted">{t('limits.quotaIntro')}</p>
      <form
        className="inline-form"
        onSubmit={send.submit((f) => api('POST', 'console/api/quota_requests', { hard_limit_usd: Number(f.get('hard_limit_usd')), reason: f.get('reason') }))}
      >
        <Field label={t('limits.requested')}>{(id) => <input id={id} name="hard_limit_usd" type="number" min={1} step={0.01} required className="num" />}</Field>
        <Field label={t('limits.reason')}>{(id) => <textarea id={id} name="reason" required maxLength={2000} rows={2} />}</Field>
        <button type="submit" disabled={send.busy}>
          {t('limits.quotaSubmit')}
        </button>
      </form>
      <ErrorNote error={send.error} />
      {requests.length > 0 ? (
        <DataTable headers={[t('common.created'), t('limits.requested'), t('common.status'), t('limits.note')]}>
          {requests.map((r) => (
            <tr key={r.id} data-status={r.status}>
              <td>{formatTime(r.created_at, lang)}</td>
              <td>{formatUsd(r.requested_hard_limit_usd, lang)}</td>
              <td>{t(`limits.status.${r.status}` as MessageKey)}</td>
              <td>{r.note ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
