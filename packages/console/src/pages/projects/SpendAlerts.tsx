/**
 * Spend alerts: thresholds of this calendar month's spend (US dollars here, whole cents in the
 * API's `threshold_amount`) that notify their e-mail recipients once a month and never refuse a
 * request (the spend limit refuses), for the organization (/v1/organization/spend_alerts) or one
 * project (…/projects/{id}/spend_alerts). Listed with their recipients, added with a form,
 * removed after a dialog. `readOnly` (an archived project): listed only.
 */
import { useConfirmation } from '../../components/ConfirmDialog';
import { LoadedSection } from '../../components/LoadedSection';
import { DataTable, Field, RowAction } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, listAll } from '../../lib/api';
import { formatUsd } from '../../lib/money';

interface SpendAlert {
  id: string;
  threshold_amount: number;
  notification_channel: { type: 'email'; recipients: string[] };
}

/** The addresses typed in one field, separated by commas, semicolons or spaces. */
const recipientsOf = (typed: string): string[] => typed.split(/[\s,;]+/).filter((s) => s !== '');

export function SpendAlerts({ path, title, readOnly = false }: { path: string; title: string; readOnly?: boolean }) {
  const { t, lang } = useI18n();
  const alerts = useLoad(() => listAll<SpendAlert>(path), [path]);
  const add = useAction(alerts.reload);
  const confirm = useConfirmation(alerts.reload);
  return (
    <LoadedSection id={`${path}-title`} level={3} title={title} loaded={alerts} change={add} intro={<p className="muted">{t('alerts.intro')}</p>}>
      {(list) => (
        <>
          {list.length === 0 ? (
            <p data-testid="spend-alerts-none">{t('alerts.none')}</p>
          ) : (
            <DataTable headers={[t('alerts.threshold'), t('alerts.recipients')]} actions={!readOnly}>
              {list.map((a) => {
                const amount = formatUsd(a.threshold_amount / 100, lang);
                return (
                  <tr key={a.id} data-alert={a.id}>
                    <td>{amount}</td>
                    <td>{a.notification_channel.recipients.join(', ')}</td>
                    {readOnly ? null : (
                      <td>
                        <RowAction
                          kind="danger"
                          label={t('common.remove')}
                          ariaLabel={t('alerts.removeNamed', { amount })}
                          onClick={() =>
                            confirm.ask({
                              title: t('alerts.removeTitle', { amount }),
                              message: t('alerts.removeMessage'),
                              action: t('alerts.removeSubmit'),
                              run: () => api('DELETE', `${path}/${encodeURIComponent(a.id)}`),
                            })
                          }
                        />
                      </td>
                    )}
                  </tr>
                );
              })}
            </DataTable>
          )}
          {readOnly ? null : (
            <form
              className="inline-form"
              onSubmit={add.submit((f) =>
                api('POST', path, {
                  threshold_amount: Math.round(Number(f.get('usd')) * 100),
                  currency: 'USD',
                  interval: 'month',
                  notification_channel: { type: 'email', recipients: recipientsOf(String(f.get('recipients'))) },
                }),
              )}
            >
              <Field label={t('alerts.amount')}>{(id) => <input id={id} name="usd" type="number" min={0.01} step={0.01} required className="num" />}</Field>
              <Field label={t('alerts.recipients')} hint={t('alerts.recipientsHint')}>
                {(id, hintId) => <input id={id} name="recipients" type="text" required aria-describedby={hintId} />}
              </Field>
              <button type="submit" className="secondary" disabled={add.busy}>
                {t('alerts.add')}
              </button>
            </form>
          )}
          {confirm.dialog}
        </>
      )}
    </LoadedSection>
  );
}
