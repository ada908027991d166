/**
 * What a signed-in viewer who belongs to no organization sees in place of an organization's page:
 * a person removed from their only organization (sign out is offered, there is nothing else for
 * them), or an operator who is no member (their own pages are in the navigation). Never the API's
 * `no_organization` error, which is written for a caller of the API.
 */
import { useI18n } from '../i18n/i18n';
import { useSignedIn, useSession } from '../session';
import { PageTitle } from './ui';

export function NoOrganization() {
  const { t } = useI18n();
  const session = useSignedIn();
  const { signOut } = useSession();
  if (session.operator) {
    return (
      <>
        <PageTitle title={t('noOrg.operatorTitle')} />
        <p>{t('noOrg.operatorBody')}</p>
      </>
    );
  }
  return (
    <>
      <PageTitle title={t('noOrg.title')} />
      <p>{t('noOrg.body')}</p>
      <p>
        <button type="button" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </p>
    </>
  );
}
