/**
 * Operator: quota-increase requests of every organization (GET /admin/v1/quota_requests), pending
 * first; approve (the organization's hard limit becomes the requested one) or reject with a note
 * the requester sees on their Limits page.
 */
import { DataTable, ErrorNote, Loading, PageTitle } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api, type ListPage } from '../../lib/api';
import { formatTime } from '../../lib/time';
import type { QuotaRequest } from '../limits/QuotaRequests';
import { formatUsd } from '../projects/SpendLimit';

type Row = QuotaRequest & { organization_id: string };

export function QuotaRequestsAdminPage() {
  const { t, lang } = useI18n();
  const list = useLoad(async () => {
    const page = await api<ListPage<Row>>('GET', 'admin/v1/quota_requests?limit=100');
    return [...page.data].sort((a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || b.created_at - a.created_at);
  }, []);
  const act = useAction(list.reload);
  const named = (r: Row) => ({ org: r.organization_id, amount: formatUsd(r.requested_hard_limit_usd, lang) });
  const decide = (r: Row, decision: 'approve' | 'reject') => {
    const note = window.prompt(t(decision === 'approve' ? 'operator.approveNote' : 'operator.rejectNote'), '');
    if (note === null || (decision === 'reject' && note.trim() === '')) return;
    void act.run(() => api('POST', `admin/v1/quota_requests/${encodeURIComponent(r.id)}/${decision}`, note.trim() ? { note: note.trim() } : {}));
  };
  return (
    <>
      <PageTitle title={t('nav.quotaRequests')} />
      <ErrorNote error={list.error ?? act.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data?.length === 0 ? <p className="muted">{t('operator.noRequests')}</p> : null}
      {list.data && list.data.length > 0 ? (
        <DataTable headers={[t('common.organization'), t('common.created'), t('operator.from'), t('limits.requested'), t('limits.reason'), t('common.status')]} actions>
          {list.data.map((r) => (
            <tr key={r.id} data-request-id={r.id} data-status={r.status}>
              <td>
                <code>{r.organization_id}</code>
              </td>
              <td>{formatTime(r.created_at, lang)}</td>
              <td>{r.previous_hard_limit_usd === null ? '—' : formatUsd(r.previous_hard_limit_usd, lang)}</td>
              <td>{formatUsd(r.requested_hard_limit_usd, lang)}</td>
              <td>{r.reason}</td>
              <td>{t(`limits.status.${r.status}` as MessageKey)}</td>
              <td>
                {r.status === 'pending' ? (
                  <>
                    <button type="button" aria-label={t('operator.approveFor', named(r))} onClick={() => decide(r, 'approve')} disabled={act.busy}>
                      {t('operator.approve')}
                    </button>{' '}
                    <button type="button" className="danger" aria-label={t('operator.rejectFor', named(r))} onClick={() => decide(r, 'reject')} disabled={act.busy}>
                      {t('operator.reject')}
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </>
  );
}
