/** English / 简体中文, each named in its own language so anyone can find theirs. */
import { LANGS, useI18n } from '../i18n/i18n';
import type { Lang } from '../i18n/messages';

const NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <select aria-label={t('common.language')} value={lang} onChange={(e) => setLang(e.target.value as Lang)} className="lang">
      {LANGS.map((l) => (
        <option key={l} value={l} lang={l}>
          {NAMES[l]}
        </option>
      ))}
    </select>
  );
}
