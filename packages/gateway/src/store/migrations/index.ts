import type { Migration, MigrationProvider } from 'kysely';
import { identityMigration } from './0001_identity.js';
import { billingMigration } from './0002_billing.js';
import { picoDollarsMigration } from './0003_pico_dollars.js';
import { responsesMigration } from './0005_responses.js';
import { statusMigration } from './0006_status.js';
import { projectsMigration } from './0007_projects.js';
import { organizationAdminMigration } from './0008_organization_admin.js';
import { consoleMigration } from './0009_console.js';
import { usageRequestStoryMigration } from './0010_usage_request_story.js';
import { consoleTotpStepMigration } from './0011_console_totp_step.js';
import { quotaRequestRequesterMigration } from './0012_quota_request_requester.js';
import { usageReportIndexMigration } from './0013_usage_report_index.js';
import { statusPendingStepMigration } from './0014_status_pending_step.js';
import { statusPeakImpactMigration } from './0015_status_peak_impact.js';
import { orgSpendLimitMigration } from './0016_org_spend_limit.js';
import { usageCachedTokensMigration } from './0017_usage_cached_tokens.js';
import { responseItemsMigration } from './0018_response_items.js';
import { responseProjectsMigration } from './0019_response_projects.js';
import { adminKeysOfFormerMembersMigration } from './0020_admin_keys_of_former_members.js';
import { memberRoleIsReaderMigration } from './0021_member_role_is_reader.js';

/**
 * Every migration, in order, as a static list: nothing scans the filesystem, so the bundle and
 * the test run see the same set. Names sort in application order; never rename or reorder one
 * that shipped. Each stage owns its file here and appends one line.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_identity': identityMigration,
  '0002_billing': billingMigration,
  '0003_pico_dollars': picoDollarsMigration,
  '0005_responses': responsesMigration,
  '0006_status': statusMigration,
  '0007_projects': projectsMigration,
  '0008_organization_admin': organizationAdminMigration,
  '0009_console': consoleMigration,
  '0010_usage_request_story': usageRequestStoryMigration,
  '0011_console_totp_step': consoleTotpStepMigration,
  '0012_quota_request_requester': quotaRequestRequesterMigration,
  '0013_usage_report_index': usageReportIndexMigration,
  '0014_status_pending_step': statusPendingStepMigration,
  '0015_status_peak_impact': statusPeakImpactMigration,
  '0016_org_spend_limit': orgSpendLimitMigration,
  '0017_usage_cached_tokens': usageCachedTokensMigration,
  '0018_response_items': responseItemsMigration,
  '0019_response_projects': responseProjectsMigration,
  '0020_admin_keys_of_former_members': adminKeysOfFormerMembersMigration,
  '0021_member_role_is_reader': memberRoleIsReaderMigration,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
