/**
 * Operator: every configured model with its live health (GET /admin/v1/models): the status the
 * status page shows, the status the gateway's own signals computed, and for each deployment of an
 * upstream its circuit breaker — closed (calls pass), open (refused until the next probe) or
 * half-open (one probe call is out) — with the failures counted. Reloads on demand.
 */
import { DataTable, ErrorNote, Loading, PageTitle } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api, type ListPage } from '../../lib/api';
import { ADMIN } from '../../lib/admin-api';

interface ModelHealth {
  id: string;
  type: 'chat' | 'embedding';
  provider: 'simulator' | 'openai-compatible';
  status: string | null;
  automatic_status: string | null;
  status_reason: string | null;
  deployments: {
    name: string;
    base_url: string;
    weight: number | null;
    breaker: { state: 'closed' | 'open' | 'half_open'; consecutive_failures: number; window_calls: number; window_failures: number; opens: number; retry_in_ms: number };
    stream_options_refused: boolean;
  }[];
}

export function ModelsPage() {
  const { t } = useI18n();
  const models = useLoad(async () => (await api<ListPage<ModelHealth>>('GET', `${ADMIN}/models`)).data, []);
  const status = (s: string | null) => (s ? t(`component.${s}` as MessageKey) : '—');
  return (
    <>
      <PageTitle title={t('models.title')}>
        <button type="button" className="secondary" onClick={models.reload}>
          {t('models.refresh')}
        </button>
      </PageTitle>
      <p className="muted">{t('models.intro')}</p>
      <ErrorNote error={models.error} />
      {!models.data && !models.error ? <Loading /> : null}
      {models.data ? (
        <DataTable headers={[t('limits.model'), t('models.provider'), t('models.status'), t('models.automatic'), t('models.deployments')]}>
          {models.data.map((m) => (
            <tr key={m.id} data-model={m.id} data-status={m.status ?? ''}>
              <td>
                <code>{m.id}</code>
                <br />
                <span className="muted">{t(m.type === 'embedding' ? 'models.type.embedding' : 'models.type.chat')}</span>
              </td>
              <td>{t(m.provider === 'simulator' ? 'models.provider.simulator' : 'models.provider.upstream')}</td>
              <td>
                <span className={`badge status-${m.status ?? 'none'}`}>{status(m.status)}</span>
              </td>
              <td>
                {status(m.automatic_status)}
                {m.status_reason ? (
                  <>
                    <br />
                    <code>{m.status_reason}</code>
                  </>
                ) : null}
              </td>
              <td>
                {m.deployments.length === 0 ? (
                  <span className="muted">{t('models.noDeployments')}</span>
                ) : (
                  <ul className="plain">
                    {m.deployments.map((d) => (
                      <li key={d.name} data-deployment={d.name} data-breaker={d.breaker.state}>
                        <code>{d.name}</code> <code>{d.base_url}</code>
                        <br />
                        <span className={`badge breaker-${d.breaker.state}`}>{t(`breaker.${d.breaker.state}`)}</span>{' '}
                        {t('models.failures', { failed: d.breaker.window_failures, calls: d.breaker.window_calls, row: d.breaker.consecutive_failures })}
                        {d.breaker.opens > 0 ? ` · ${t('models.opens', { n: d.breaker.opens })}` : ''}
                        {d.breaker.state === 'open' ? ` · ${t('models.retryIn', { s: Math.ceil(d.breaker.retry_in_ms / 1000) })}` : ''}
                        {d.stream_options_refused ? ` · ${t('models.streamOptionsRefused')}` : ''}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </>
  );
}
