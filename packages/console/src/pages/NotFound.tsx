import { Link } from 'react-router';
import { PageTitle } from '../components/ui';
import { useI18n } from '../i18n/i18n';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle title={t('notFound.title')} />
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
