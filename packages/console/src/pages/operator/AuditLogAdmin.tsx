/**
 * Operator: one organization's audit log (GET /admin/v1/organizations/{id}/audit_logs), the
 * operator's own /admin/v1 changes included. The organization is chosen from the first hundred
 * or named in the address (?org=, as the Organizations page links it).
 */
import { useSearchParams } from 'react-router';
import { ErrorNote, Field, PageTitle } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, type ListPage } from '../../lib/api';
import { ADMIN, orgPath, type AdminOrganization } from '../../lib/admin-api';
import { AuditLogView } from '../audit/AuditLogView';

export function AuditLogAdminPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const orgId = params.get('org') ?? '';
  const orgs = useLoad(async () => (await api<ListPage<AdminOrganization>>('GET', `${ADMIN}/organizations?limit=100`)).data, []);
  const options = orgs.data && orgId && !orgs.data.some((o) => o.id === orgId) ? [{ id: orgId, name: orgId }, ...orgs.data] : (orgs.data ?? []);
  return (
    <>
      <PageTitle title={t('nav.auditLog')} />
      <ErrorNote error={orgs.error} />
      <div className="inline-form">
        <Field label={t('common.organization')}>
          {(id) => (
            <select id={id} name="organization" value={orgId} onChange={(e) => setParams(e.target.value ? { org: e.target.value } : {})}>
              <option value="">{t('audit.chooseOrg')}</option>
              {options.map((o) => (
                <option key={o.id} value={o.id} translate="no">
                  {o.name} ({o.id})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {orgId ? <AuditLogView key={orgId} path={orgPath(orgId, '/audit_logs')} /> : <p className="muted">{t('audit.chooseOrgHint')}</p>}
    </>
  );
}
