/**
 * Operator: every organization, a page at a time from the server (GET /admin/v1/organizations),
 * each with its tier, this month's spend and hard limit (…/billing); a form that creates one with
 * its first owner and tier; the chosen organization's tier and spend limits can be changed.
 */
import { Link, useParams } from 'react-router';
import { Money } from '../../components/Money';
import { Pager } from '../../components/Pager';
import { DataTable, ErrorNote, Loading, PageTitle } from '../../components/ui';
import { usePages } from '../../components/use-pages';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { listTiers, organizationsPage } from '../../lib/admin-api';
import { formatTime } from '../../lib/time';
import { formatUsd } from '../projects/SpendLimit';
import { CreateOrganization } from './organizations/CreateOrganization';
import { OrganizationDetail } from './organizations/OrganizationDetail';

export function OrganizationsPage() {
  const { t, lang } = useI18n();
  const { orgId } = useParams();
  const tiers = useLoad(listTiers, []);
  const pages = usePages((after) => organizationsPage(after), '');
  const usd = (v: number | null | undefined) => (v === null || v === undefined ? t('spend.none') : formatUsd(v, lang));
  return (
    <>
      <PageTitle title={t('orgs.title')} />
      <ErrorNote error={tiers.error} />
      <CreateOrganization tiers={tiers.data ?? []} onCreated={pages.reload} />
      <section aria-labelledby="orgs-list">
        <h2 id="orgs-list">{t('orgs.listTitle')}</h2>
        <ErrorNote error={pages.error} />
        {!pages.data && !pages.error ? <Loading /> : null}
        {pages.data ? (
          <DataTable headers={[t('common.name'), t('limits.tier'), t('orgs.spent'), t('orgs.hardLimit'), t('common.created')]}>
            {pages.data.data.map((o) => (
              <tr key={o.id} data-org-id={o.id} aria-current={o.id === orgId ? 'true' : undefined}>
                <td>
                  <Link to={`/operator/organizations/${encodeURIComponent(o.id)}`} translate="no">
                    {o.name}
                  </Link>
                  <br />
                  <code>{o.id}</code>
                </td>
                <td data-field="tier">
                  <code>{o.tier}</code>
                </td>
                <td data-field="spent">{o.billing ? <Money usd={o.billing.spent_usd} /> : '—'}</td>
                <td data-field="hard-limit">{o.billing ? usd(o.billing.hard_limit_usd) : '—'}</td>
                <td>{formatTime(o.created_at, lang)}</td>
              </tr>
            ))}
          </DataTable>
        ) : null}
        <Pager pages={pages} label={t('orgs.listTitle')} />
      </section>
      {orgId ? <OrganizationDetail key={orgId} orgId={orgId} tiers={tiers.data ?? []} onChanged={pages.reload} /> : null}
    </>
  );
}
