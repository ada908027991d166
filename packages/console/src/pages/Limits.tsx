/**
 * Limits: this month's spend against the organization's limits (GET /console/api/billing): the
 * hard limit the operator approved (read-only, with the link to ask for a higher one), the
 * organization's own monthly spend limit (set here, at most the approved one), and the one
 * enforced, the lower of the two; its spend alerts (SpendAlerts); the per-model rate limits (RPM, TPM, RPD, TPD) of the
 * organization and of a chosen project with what is left of each right now, and the
 * quota-increase request form with the status of past requests. Owners only.
 */
import { useState } from 'react';
import { InPageLink } from '../components/InPageLink';
import { Money } from '../components/Money';
import { ErrorNote, Field, Loading, PageTitle } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { api, ApiError } from '../lib/api';
import { orgRateLimits, projectRateLimits } from '../lib/limits';
import { listProjects, ORG } from '../lib/org-api';
import { RemainingTable } from './limits/RemainingTable';
import { QuotaRequests, type QuotaRequest } from './limits/QuotaRequests';
import { SpendAlerts } from './projects/SpendAlerts';
import { SpendLimit } from './projects/SpendLimit';

interface Billing {
  /** The hard limit the operator approved. */
  hard_limit_usd: number | null;
  /** The organization's own spend limit and the lower of the two (gateways before them leave them out). */
  spend_limit_usd?: number | null;
  enforced_hard_limit_usd?: number | null;
  soft_limit_usd: number | null;
  period: string;
  spent_usd: number;
  reserved_usd: number;
  tier?: string | null;
  quota_requests: QuotaRequest[];
}

/** Billing is null where the gateway has no member-side billing endpoint (an older gateway). */
const loadBilling = () => api<Billing>('GET', 'console/api/billing').catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));

/** The organization's rows are null on a gateway without GET /v1/organization/rate_limits. */
const loadOrgLimits = () => orgRateLimits().catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));

export function LimitsPage() {
  const { t } = useI18n();
  const billing = useLoad(loadBilling, []);
  const projects = useLoad(() => listProjects(), []);
  const [chosen, setChosen] = useState<string>();
  const projectId = chosen ?? projects.data?.[0]?.id;
  const orgLimits = useLoad(loadOrgLimits, []);
  const projectLimits = useLoad(() => (projectId ? projectRateLimits(projectId) : Promise.resolve(undefined)), [projectId]);
  const refresh = () => {
    orgLimits.reload();
    projectLimits.reload();
  };
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
            <dd data-testid="spent">
              <Money usd={b.spent_usd} />
            </dd>
            <dt>{t('limits.approved')}</dt>
            <dd data-testid="approved-limit">
              {b.hard_limit_usd === null ? (
                t('spend.none')
              ) : (
                <>
                  <Money usd={b.hard_limit_usd} /> <InPageLink id="quota-title">{t('limits.quotaTitle')}</InPageLink>
                </>
              )}
            </dd>
            {b.enforced_hard_limit_usd !== undefined ? (
              <>
                <dt>{t('limits.enforced')}</dt>
                <dd data-testid="enforced-limit">{b.enforced_hard_limit_usd === null ? t('spend.none') : <Money usd={b.enforced_hard_limit_usd} />}</dd>
              </>
            ) : null}
            <dt>{t('limits.soft')}</dt>
            <dd>{b.soft_limit_usd === null ? t('spend.none') : <Money usd={b.soft_limit_usd} />}</dd>
          </dl>
        ) : null}
      </section>
      {/* The enforced limit above is the lower of this one and the approved one: read again after a change. */}
      <SpendLimit path={`${ORG}/spend_limit`} title={t('limits.orgSpendLimit')} intro={t('spend.ownIntro')} maxUsd={b?.hard_limit_usd ?? null} onChanged={billing.reload} />
      <SpendAlerts path={`${ORG}/spend_alerts`} title={t('limits.orgSpendAlerts')} />
      <section aria-labelledby="rates-title">
        <div className="page-title">
          <h2 id="rates-title">{t('limits.rateTitle')}</h2>
          <button type="button" className="secondary" onClick={refresh}>
            {t('limits.refresh')}
          </button>
        </div>
        <p className="muted">{t('limits.rateIntro')}</p>
        <ErrorNote error={orgLimits.error ?? projects.error ?? projectLimits.error} />
        {orgLimits.data ? (
          <div data-scope="organization">
            <h3>{t('limits.orgRates')}</h3>
            <RemainingTable rows={orgLimits.data} />
          </div>
        ) : null}
        {projects.data && projects.data.length > 0 ? (
          <div data-scope="project">
            <h3>{t('limits.projectRates')}</h3>
            <div className="inline-form">
              <Field label={t('limits.whichProject')}>
                {(id) => (
                  <select id={id} name="project" value={projectId} onChange={(e) => setChosen(e.target.value)}>
                    {projects.data!.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <p className="muted">{t('limits.projectIntro')}</p>
            {projectLimits.data ? <RemainingTable rows={projectLimits.data} /> : <Loading />}
          </div>
        ) : null}
      </section>
      {b ? <QuotaRequests requests={b.quota_requests} hardLimitUsd={b.hard_limit_usd} onSent={billing.reload} /> : null}
    </>
  );
}
