/**
 * The console's languages: English and Simplified Chinese. The first visit follows the
 * browser's languages (navigator.languages); the switch in the header overrides it and is
 * remembered in localStorage. Every string on screen comes from the one table in messages.ts.
 */
import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setApiLanguage } from '../lib/api';
import { useProvided } from '../lib/provided';
import { MESSAGES, type Lang, type MessageKey } from './messages';

export const LANGS: readonly Lang[] = ['en', 'zh-CN'];
const STORAGE_KEY = 'tollgate.lang';

export function detectLang(preferred: readonly string[], stored: string | null): Lang {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const l of preferred) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => detectLang(navigator.languages ?? [navigator.language], readStored()));
  useEffect(() => {
    document.documentElement.lang = lang;
    setApiLanguage(lang);
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setLangState(l);
  }, []);
  const t = useCallback<Translate>(
    (key, vars) => {
      const s = MESSAGES[lang][key];
      return vars ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : s;
    },
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useProvided(I18nContext, 'I18nProvider');
}
