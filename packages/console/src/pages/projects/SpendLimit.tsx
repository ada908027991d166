/**
 * A monthly spend limit in US dollars (the API counts whole cents: `threshold_amount`), for the
 * organization (/v1/organization/spend_limit: its own, at most the hard limit the operator
 * approved) or a project (…/projects/{id}/spend_limit). None set is read as an answer
 * (getOptional: 204, not a 404) and shows "no limit". With `maxUsd` (the approved limit) the
 * amount cannot be entered above it, and the gateway's refusal of one above it (a 400 on
 * `threshold_amount`) is said in the page's words, and what shows the bound is read again.
 */
import { useCallback } from 'react';
import { LoadedSection } from '../../components/LoadedSection';
import { Field } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { api, getOptional, type ApiError } from '../../lib/api';
import { formatUsd } from '../../lib/money';

interface SpendLimitObject {
  threshold_amount: number;
}

/** Kept here for the pages that import it from this module; see lib/money.ts. */
export { formatUsd } from '../../lib/money';

const aboveApproved = (e: ApiError): MessageKey | undefined => (e.status === 400 && e.param === 'threshold_amount' && e.code === 'integer_above_max_value' ? 'spend.aboveApproved' : undefined);

/**
 * `onChanged`: after a save or removal, for what else on the page shows the limit. `maxUsd`: the
 * most the limit may be (null or absent: no bound but the API's own). `intro`: what the limit is.
 * `readOnly` (an archived project): the limit is shown, with no form to change it.
 */
export function SpendLimit({
  path,
  title,
  onChanged,
  maxUsd,
  intro,
  readOnly = false,
}: {
  path: string;
  title: string;
  onChanged?: () => void;
  maxUsd?: number | null;
  intro?: string;
  readOnly?: boolean;
}) {
  const { t, lang } = useI18n();
  const limit = useLoad(() => getOptional<SpendLimitObject>(path), [path]);
  const { reload } = limit;
  const afterSave = useCallback(() => {
    reload();
    onChanged?.();
  }, [reload, onChanged]);
  const save = useAction(afterSave);
  const bounded = maxUsd !== undefined && maxUsd !== null;
  // Whole cents at or below the bound (the JSON number may sit a hair under its decimal: 0.29 * 100).
  const maxCents = bounded ? Math.floor(maxUsd * 100 + 1e-6) : Infinity;
  const maxText = bounded ? formatUsd(maxUsd, lang) : '';
  const hint = bounded ? t('spend.atMostApproved', { amount: maxText }) : undefined;
  return (
    <LoadedSection
      id={`${path}-title`}
      level={3}
      title={title}
      loaded={limit}
      change={save}
      explain={aboveApproved}
      intro={intro ? <p className="muted">{intro}</p> : undefined}
    >
      {(current) => (
        <>
          <p data-testid="spend-limit-current">{current ? t('spend.current', { amount: formatUsd(current.threshold_amount / 100, lang) }) : t('spend.none')}</p>
          {current && current.threshold_amount > maxCents ? (
            <p data-testid="spend-limit-over-approved">
              <strong>{t('spend.overApproved', { amount: maxText })}</strong>
            </p>
          ) : null}
          {readOnly ? null : (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const usd = Number(new FormData(e.currentTarget).get('usd'));
                // A refusal may come from a bound the page no longer knows (the operator lowered the
                // approved limit since it was read): what else shows it is read again, so the page
                // names the bound the gateway applied.
                void save.run(() => api('POST', path, { threshold_amount: Math.round(usd * 100), currency: 'USD', interval: 'month' })).then((ok) => ok || onChanged?.());
              }}
            >
              <Field label={t('spend.amount')} {...(hint ? { hint } : {})}>
                {(id, hintId) => (
                  <input
                    id={id}
                    name="usd"
                    type="number"
                    min={0.01}
                    {...(bounded ? { max: maxCents / 100 } : {})}
                    step={0.01}
                    required
                    defaultValue={current ? current.threshold_amount / 100 : ''}
                    className="num"
                    aria-describedby={hintId}
                  />
                )}
              </Field>
              <button type="submit" className="secondary" disabled={save.busy}>
                {t('common.save')}
              </button>
              {current ? (
                <button type="button" className="danger" disabled={save.busy} onClick={() => void save.run(() => api('DELETE', path))}>
                  {t('spend.remove')}
                </button>
              ) : null}
            </form>
          )}
        </>
      )}
    </LoadedSection>
  );
}
