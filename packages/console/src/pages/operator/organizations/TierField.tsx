/** The labelled select of the configured usage tiers (GET /admin/v1/tiers). */
import { Field } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import type { Tier } from '../../../lib/admin-api';

export function TierField({ tiers, value }: { tiers: Tier[]; value?: string }) {
  const { t } = useI18n();
  return (
    <Field label={t('limits.tier')}>
      {(id) => (
        <select id={id} name="tier" defaultValue={value ?? tiers.find((x) => x.default)?.id} key={tiers.length}>
          {tiers.map((x) => (
            <option key={x.id} value={x.id}>
              {x.default ? t('orgs.tierDefault', { tier: x.id }) : x.id}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
