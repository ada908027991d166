/**
 * An amount of money on screen: formatted for the viewer (formatUsd: a tiny cost is not $0.00),
 * with the exact decimal as its title when the figure shown is rounded, and in `data-usd` for
 * tests and copy-paste.
 */
import { useI18n } from '../i18n/i18n';
import { exactDecimal, formatUsd } from '../lib/money';

export function Money({ usd, exact }: { usd: number; exact?: string | null | undefined }) {
  const { t, lang } = useI18n();
  const decimal = exactDecimal(usd, exact);
  const rounded = (decimal.split('.')[1]?.length ?? 0) > 2;
  return (
    <span className="money" data-usd={decimal} {...(rounded ? { title: t('money.exact', { amount: `$${decimal}` }) } : {})}>
      {formatUsd(usd, lang)}
    </span>
  );
}
