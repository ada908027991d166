/** Previous / next buttons under a paged table, with the page number announced to screen readers. */
import { useI18n } from '../i18n/i18n';
import type { Pages } from './use-pages';

export function Pager({ pages, label }: { pages: Pick<Pages<{ id: string }>, 'number' | 'hasPrevious' | 'hasNext' | 'previous' | 'next'>; label: string }) {
  const { t } = useI18n();
  if (!pages.hasPrevious && !pages.hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="secondary" onClick={pages.previous} disabled={!pages.hasPrevious}>
        {t('pager.previous')}
      </button>
      <span aria-live="polite">{t('pager.page', { n: pages.number })}</span>
      <button type="button" className="secondary" onClick={pages.next} disabled={!pages.hasNext}>
        {t('pager.next')}
      </button>
    </nav>
  );
}
