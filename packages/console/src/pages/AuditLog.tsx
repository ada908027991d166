/** The organization's audit log for its owners (GET /v1/organization/audit_logs): who changed what, when. */
import { PageTitle } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ORG } from '../lib/org-api';
import { AuditLogView } from './audit/AuditLogView';

export function AuditLogPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle title={t('nav.auditLog')} />
      <p className="muted">{t('audit.intro')}</p>
      <AuditLogView path={`${ORG}/audit_logs`} />
    </>
  );
}
