/**
 * Operator: one organization's audit log (GET /admin/v1/organizations/{id}/audit_logs), the
 * operator's own /admin/v1 changes included. The organization is chosen from the list a hundred
 * at a time (Previous / Next under the choice reach every one) or named in the address (?org=, as
 * the Organizations page links it).
 */
import { useSearchParams } from 'react-router';
import { Pager } from '../../components/Pager';
import { ErrorNote, Field, PageTitle } from '../../components/ui';
import { usePages } from '../../components/use-pages';
import { useI18n } from '../../i18n/i18n';
import { organizationNamesPage, orgPath } from '../../lib/admin-api';
import { AuditLogView } from '../audit/AuditLogView';

export function AuditLogAdminPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const orgId = params.get('org') ?? '';
  const orgs = usePages((after) => organizationNamesPage(after), '');
  const listed = orgs.data?.data;
  const options = listed && orgId && !listed.some((o) => o.id === orgId) ? [{ id: orgId, name: orgId }, ...listed] : (listed ?? []);
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
      <Pager pages={orgs} label={t('audit.orgPages')} />
      {orgId ? <AuditLogView key={orgId} path={orgPath(orgId, '/audit_logs')} /> : <p className="muted">{t('audit.chooseOrgHint')}</p>}
    </>
  );
}
