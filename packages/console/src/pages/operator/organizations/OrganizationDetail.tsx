/**
 * One organization for the operator: its tier (PUT /admin/v1/organizations/{id}) and its monthly
 * approved hard and soft spend limits (PUT …/billing, empty = none), this month's spend, the
 * organization's own spend limit (its owners set it, at most the approved one) and the limit
 * enforced (the lower of the two), its members (a password can be set for one) and its audit log.
 * The limit fields take any amount (step "any"): the admin API keeps limits finer than a cent
 * ($0.0101), and a field holding one must not stop the form from saving the other limit.
 */
import { Link } from 'react-router';
import { Money } from '../../../components/Money';
import { ErrorNote, Field, Loading } from '../../../components/ui';
import { useAction } from '../../../components/use-action';
import { useLoad } from '../../../components/use-load';
import { useI18n } from '../../../i18n/i18n';
import { api } from '../../../lib/api';
import { orgPath, type AdminOrganization, type OrgBilling, type Tier } from '../../../lib/admin-api';
import { OrganizationMembers } from './OrganizationMembers';
import { TierField } from './TierField';

const usdOrNull = (v: FormDataEntryValue | null): number | null => (v === null || String(v).trim() === '' ? null : Number(v));

export function OrganizationDetail({ orgId, tiers, onChanged }: { orgId: string; tiers: Tier[]; onChanged: () => void }) {
  const { t } = useI18n();
  const org = useLoad(async () => {
    const [o, b] = await Promise.all([api<AdminOrganization>('GET', orgPath(orgId)), api<OrgBilling>('GET', orgPath(orgId, '/billing'))]);
    return { o, b };
  }, [orgId]);
  const save = useAction(() => {
    org.reload();
    onChanged();
  });
  const d = org.data;
  return (
    <section className="detail" aria-labelledby="org-detail">
      <ErrorNote error={org.error} />
      {!d && !org.error ? <Loading /> : null}
      {d ? (
        <>
          <h2 id="org-detail" translate="no">
            {d.o.name}
          </h2>
          <p>
            <Link to={`/operator/audit-log?org=${encodeURIComponent(orgId)}`}>{t('orgs.viewAudit')}</Link>
          </p>
          <dl className="details">
            <dt>{t('limits.period')}</dt>
            <dd>{d.b.period}</dd>
            <dt>{t('limits.spent')}</dt>
            <dd data-testid="org-spent">
              <Money usd={d.b.spent_usd} />
            </dd>
            {d.b.spend_limit_usd !== undefined ? (
              <>
                <dt>{t('orgs.ownLimit')}</dt>
                <dd data-testid="org-own-limit">{d.b.spend_limit_usd === null ? t('spend.none') : <Money usd={d.b.spend_limit_usd} />}</dd>
              </>
            ) : null}
            {d.b.enforced_hard_limit_usd !== undefined ? (
              <>
                <dt>{t('limits.enforced')}</dt>
                <dd data-testid="org-enforced-limit">{d.b.enforced_hard_limit_usd === null ? t('spend.none') : <Money usd={d.b.enforced_hard_limit_usd} />}</dd>
              </>
            ) : null}
          </dl>
          <form
            className="inline-form"
            aria-label={t('orgs.changeTier')}
            onSubmit={(e) => {
              e.preventDefault();
              const tier = String(new FormData(e.currentTarget).get('tier'));
              void save.run(() => api('PUT', orgPath(orgId), { tier }));
            }}
          >
            <TierField tiers={tiers} value={d.o.tier} key={`${d.o.tier}-${tiers.length}`} />
            <button type="submit" className="secondary" disabled={save.busy}>
              {t('orgs.saveTier')}
            </button>
          </form>
          <form
            className="inline-form"
            aria-label={t('orgs.changeLimits')}
            key={`${d.b.hard_limit_usd}-${d.b.soft_limit_usd}`}
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              void save.run(() => api('PUT', orgPath(orgId, '/billing'), { hard_limit_usd: usdOrNull(f.get('hard_limit_usd')), soft_limit_usd: usdOrNull(f.get('soft_limit_usd')) }));
            }}
          >
            <Field label={t('orgs.hardLimitUsd')} hint={t('orgs.emptyNone')}>
              {(id) => <input id={id} name="hard_limit_usd" type="number" min={0} step="any" className="num" defaultValue={d.b.hard_limit_usd ?? ''} />}
            </Field>
            <Field label={t('orgs.softLimitUsd')} hint={t('orgs.emptyNone')}>
              {(id) => <input id={id} name="soft_limit_usd" type="number" min={0} step="any" className="num" defaultValue={d.b.soft_limit_usd ?? ''} />}
            </Field>
            <button type="submit" className="secondary" disabled={save.busy}>
              {t('orgs.saveLimits')}
            </button>
          </form>
          <ErrorNote error={save.error} />
          <OrganizationMembers orgId={orgId} />
        </>
      ) : null}
    </section>
  );
}
