/**
 * A monthly spend limit in US dollars (the API counts whole cents: `threshold_amount`), for the
 * organization (/v1/organization/spend_limit) or a project (…/projects/{id}/spend_limit). None
 * set is read as an answer (getOptional: 204, not a 404) and shows "no limit".
 */
import { useCallback } from 'react';
import { LoadedSection } from '../../components/LoadedSection';
import { Field } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { api, getOptional } from '../../lib/api';
import { formatUsd } from '../../lib/money';

interface SpendLimitObject {
  threshold_amount: number;
}

/** Kept here for the pages that import it from this module; see lib/money.ts. */
export { formatUsd } from '../../lib/money';

/** `onChanged`: after a save or removal, for what else on the page shows the limit. */
export function SpendLimit({ path, title, onChanged }: { path: string; title: string; onChanged?: () => void }) {
  const { t, lang } = useI18n();
  const limit = useLoad(() => getOptional<SpendLimitObject>(path), [path]);
  const { reload } = limit;
  const afterSave = useCallback(() => {
    reload();
    onChanged?.();
  }, [reload, onChanged]);
  const save = useAction(afterSave);
  return (
    <LoadedSection id={`${path}-title`} level={3} title={title} loaded={limit} change={save}>
      {(current) => (
        <>
          <p>{current ? t('spend.current', { amount: formatUsd(current.threshold_amount / 100, lang) }) : t('spend.none')}</p>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const usd = Number(new FormData(e.currentTarget).get('usd'));
              void save.run(() => api('POST', path, { threshold_amount: Math.round(usd * 100), currency: 'USD', interval: 'month' }));
            }}
          >
            <Field label={t('spend.amount')}>{(id) => <input id={id} name="usd" type="number" min={0.01} step={0.01} required defaultValue={current ? current.threshold_amount / 100 : ''} className="num" />}</Field>
            <button type="submit" className="secondary" disabled={save.busy}>
              {t('common.save')}
            </button>
            {current ? (
              <button type="button" className="danger" disabled={save.busy} onClick={() => void save.run(() => api('DELETE', path))}>
                {t('spend.remove')}
              </button>
            ) : null}
          </form>
        </>
      )}
    </LoadedSection>
  );
}
