/**
 * Limits: this month's spend against the organization's limits (GET /console/api/billing), the
 * organization's monthly spend limit, each project's per-model rate limits (RPM, TPM, RPD, TPD),
 * and the quota-increase request form with the status of past requests. Owners only.
 */
import { DataTable, ErrorNote, Loading, PageTitle } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { api, ApiError } from '../lib/api';
import { formatLimit, LIMIT_FIELDS, projectRateLimits } from '../lib/limits';
import { listProjects, ORG } from '../lib/org-api';
import { QuotaRequests, type QuotaRequest } from './limits/QuotaRequests';
import { formatUsd, SpendLimit } from './projects/SpendLimit';

interface Billing {
  hard_limit_usd: number | null;
  soft_limit_usd: number | null;
  period: string;
  spent_usd: number;
  reserved_usd: number;
  tier?: string | null;
  quota_requests: QuotaRequest[];
}

/** Billing is null where the gateway has no member-side billing endpoint (an older gateway). */
const loadBilling = () => api<Billing>('GET', 'console/api/billing').catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));

async function loadRateLimits() {
  const projects = await listProjects();
  return Promise.all(projects.map(async (p) => ({ project: p, limits: await projectRateLimits(p.id) })));
}

export function LimitsPage() {
  const { t, lang } = useI18n();
  const billing = useLoad(loadBilling, []);
  const limits = useLoad(loadRateLimits, []);
  const b = billing.data;
  return (
    <>
      <PageTitle title={t('limits.title')} />
      <section aria-labelledby="spend-title">
        <h2 id="spend-title">{t('limits.spendTitle')}</h2>
        <ErrorNote error={billing.error} />
        {b === undefined && !billing.error ? <Loading /> : null}
        {b === null ? <p className="muted">{t('limits.billingUnavailable')}</p> : null}
        {b ? (
          <dl className="details">
            <dt>{t('limits.period')}</dt>
            <dd>{b.period}</dd>
            {b.tier ? (
              <>
                <dt>{t('limits.tier')}</dt>
                <dd>{b.tier}</dd>
              </>
            ) : null}
            <dt>{t('limits.spent')}</dt>
            <dd data-testid="spent">{formatUsd(b.spent_usd, lang)}</dd>
            <dt>{t('limits.hard')}</dt>
            <dd>{b.hard_limit_usd === null ? t('spend.none') : formatUsd(b.hard_limit_usd, lang)}</dd>
            <dt>{t('limits.soft')}</dt>
            <dd>{b.soft_limit_usd === null ? t('spend.none') : formatUsd(b.soft_limit_usd, lang)}</dd>
          </dl>
        ) : null}
      </section>
      <SpendLimit path={`${ORG}/spend_limit`} title={t('limits.orgSpendLimit')} />
      <section aria-labelledby="rates-title">
        <h2 id="rates-title">{t('limits.rateTitle')}</h2>
        <ErrorNote error={limits.error} />
        {limits.data?.map(({ project, limits: rows }) => (
          <div key={project.id}>
            <h3>{project.name}</h3>
            <DataTable headers={[t('limits.model'), ...LIMIT_FIELDS.map((l) => t(l.label))]}>
              {rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.model}</th>
                  {LIMIT_FIELDS.map((l) => (
                    <td key={l.field}>{formatLimit(r[l.field], lang)}</td>
                  ))}
                </tr>
              ))}
            </DataTable>
          </div>
        ))}
      </section>
      {b ? <QuotaRequests requests={b.quota_requests} onSent={billing.reload} /> : null}
    </>
  );
}
