/**
 * Operator: quota-increase requests of every organization (GET /admin/v1/quota_requests), pending
 * first, each with its organization's name and hard limit now; approve (the organization's hard
 * limit becomes the requested one) or reject with a note the requester sees on their Limits page.
 * The note is written in a dialog in the page, which also says what is being decided.
 */
import { useState, type FormEvent } from 'react';
import { Dialog, DialogFormButtons } from '../../components/Dialog';
import { DataTable, ErrorNote, Field, Loading, PageTitle } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api, type ListPage } from '../../lib/api';
import { formatTime } from '../../lib/time';
import type { QuotaRequest } from '../limits/QuotaRequests';
import { formatUsd } from '../projects/SpendLimit';

type Row = QuotaRequest & { organization_id: string };
type Decision = 'approve' | 'reject';

export function QuotaRequestsAdminPage() {
  const { t, lang } = useI18n();
  const list = useLoad(async () => {
    const page = await api<ListPage<Row>>('GET', 'admin/v1/quota_requests?limit=100');
    return [...page.data].sort((a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || b.created_at - a.created_at);
  }, []);
  const [deciding, setDeciding] = useState<{ row: Row; decision: Decision }>();
  const named = (r: Row) => ({ org: r.organization_name ?? r.organization_id, amount: formatUsd(r.requested_hard_limit_usd, lang) });
  const current = (r: Row) => (r.current_hard_limit_usd === undefined || r.current_hard_limit_usd === null ? null : formatUsd(r.current_hard_limit_usd, lang));
  return (
    <>
      <PageTitle title={t('nav.quotaRequests')} />
      <ErrorNote error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data?.length === 0 ? <p className="muted">{t('operator.noRequests')}</p> : null}
      {list.data && list.data.length > 0 ? (
        <DataTable headers={[t('common.organization'), t('common.created'), t('operator.from'), t('limits.requested'), t('limits.reason'), t('common.status')]} actions>
          {list.data.map((r) => (
            <tr key={r.id} data-request-id={r.id} data-status={r.status}>
              <td>
                {r.organization_name ? (
                  <>
                    {r.organization_name}
                    <br />
                    <code className="muted">{r.organization_id}</code>
                  </>
                ) : (
                  <code>{r.organization_id}</code>
                )}
              </td>
              <td>{formatTime(r.created_at, lang)}</td>
              <td data-testid="current-hard-limit">{current(r) ?? '—'}</td>
              <td>{formatUsd(r.requested_hard_limit_usd, lang)}</td>
              <td>{r.reason}</td>
              <td>{t(`limits.status.${r.status}` as MessageKey)}</td>
              <td>
                {r.status === 'pending' ? (
                  <>
                    <button type="button" aria-label={t('operator.approveFor', named(r))} onClick={() => setDeciding({ row: r, decision: 'approve' })}>
                      {t('operator.approve')}
                    </button>{' '}
                    <button type="button" className="danger" aria-label={t('operator.rejectFor', named(r))} onClick={() => setDeciding({ row: r, decision: 'reject' })}>
                      {t('operator.reject')}
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {deciding ? (
        <DecisionDialog
          key={`${deciding.row.id}-${deciding.decision}`}
          row={deciding.row}
          decision={deciding.decision}
          names={named(deciding.row)}
          current={current(deciding.row)}
          onClose={() => setDeciding(undefined)}
          onDecided={() => {
            setDeciding(undefined);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}

/** The note of an approval (optional) or a rejection (required), and the decision sent with it. */
function DecisionDialog({
  row,
  decision,
  names,
  current,
  onClose,
  onDecided,
}: {
  row: Row;
  decision: Decision;
  names: { org: string; amount: string };
  current: string | null;
  onClose(): void;
  onDecided(): void;
}) {
  const { t } = useI18n();
  const act = useAction();
  const reject = decision === 'reject';
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const box = e.currentTarget.elements.namedItem('note') as HTMLTextAreaElement;
    const note = box.value.trim();
    // A rejection says why: spaces alone are no note.
    box.setCustomValidity(reject && note === '' ? t('operator.noteRequired') : '');
    if (!box.reportValidity()) return;
    const done = await act.run(() => api('POST', `admin/v1/quota_requests/${encodeURIComponent(row.id)}/${decision}`, note ? { note } : {}));
    if (done) onDecided();
  };
  return (
    <Dialog title={t(reject ? 'operator.rejectFor' : 'operator.approveFor', names)} onClose={onClose}>
      <p>{t('operator.request', { ...names, current: current ?? t('operator.noLimit') })}</p>
      <p>{t('operator.reasonIs', { reason: row.reason })}</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label={t(reject ? 'operator.rejectNote' : 'operator.approveNote')}>
          {(id) => <textarea id={id} name="note" rows={3} maxLength={2000} required={reject} onInput={(e) => e.currentTarget.setCustomValidity('')} />}
        </Field>
        <ErrorNote error={act.error} />
        <DialogFormButtons onCancel={onClose} action={t(reject ? 'operator.rejectSubmit' : 'operator.approveSubmit')} busy={act.busy} danger={reject} />
      </form>
    </Dialog>
  );
}
