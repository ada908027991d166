/**
 * Asking for a higher monthly hard limit (POST /console/api/quota_requests {hard_limit_usd,
 * reason}) and following the requests' status (pending, approved, rejected with the operator's note).
 * The form is offered only when the gateway would take the request: the organization has a hard
 * limit to raise, no request is pending, and the amount asked is above the current limit.
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
  /** The organization's name and hard limit now (gateways before these fields leave them out). */
  organization_name?: string | null;
  current_hard_limit_usd?: number | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  note: string | null;
  created_at: number;
  decided_at: number | null;
}

export function QuotaRequests({ requests, hardLimitUsd, onSent }: { requests: QuotaRequest[]; hardLimitUsd: number | null; onSent(): void }) {
  const { t, lang } = useI18n();
  const send = useAction(onSent);
  const pending = requests.some((r) => r.status === 'pending');
  // The smallest amount above the current limit, in whole cents.
  const min = hardLimitUsd === null ? 0 : (Math.round(hardLimitUsd * 100) + 1) / 100;
  return (
    <section aria-labelledby="quota-title">
      <h2 id="quota-title">{t('limits.quotaTitle')}</h2>
      <p className="muted">{t('limits.quotaIntro')}</p>
      {hardLimitUsd === null ? <p data-testid="quota-unavailable">{t('limits.quotaNoHardLimit')}</p> : null}
      {hardLimitUsd !== null && pending ? <p data-testid="quota-unavailable">{t('limits.quotaPending')}</p> : null}
      {hardLimitUsd !== null && !pending ? (
        <form
          className="inline-form"
          onSubmit={send.submit((f) => api('POST', 'console/api/quota_requests', { hard_limit_usd: Number(f.get('hard_limit_usd')), reason: f.get('reason') }))}
        >
          <Field label={t('limits.requested')} hint={t('limits.quotaAbove', { amount: formatUsd(hardLimitUsd, lang) })}>
            {(id, hintId) => <input id={id} name="hard_limit_usd" type="number" min={min} step={0.01} required className="num" aria-describedby={hintId} />}
          </Field>
          <Field label={t('limits.reason')}>{(id) => <textarea id={id} name="reason" required maxLength={2000} rows={2} />}</Field>
          <button type="submit" disabled={send.busy}>
            {t('limits.quotaSubmit')}
          </button>
        </form>
      ) : null}
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
