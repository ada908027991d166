import { renderErrorDocsHtml, type Locale } from '@tollgate/protocol';
import { sendText } from '../http/respond.js';
import type { Router } from '../http/router.js';

/** GET /docs/errors?lang=en|zh-CN: the error catalog as a page (rendered once per language). */
export function registerDocsRoutes(router: Router, publicUrl: string): void {
  const pages = new Map<Locale, string>();
  const page = (lang: Locale) => {
    let p = pages.get(lang);
    if (!p) pages.set(lang, (p = renderErrorDocsHtml(lang, publicUrl)));
    return p;
  };
  router.on('GET', '/docs/errors', (ctx) => {
    const lang = new URLSearchParams(ctx.rawQuery).get('lang');
    const accept = ctx.req.headers['accept-language'] ?? '';
    const locale: Locale = lang === 'zh-CN' || lang === 'zh' || (!lang && /^zh/i.test(accept)) ? 'zh-CN' : 'en';
    sendText(ctx, 200, 'text/html; charset=utf-8', page(locale));
  });
}
