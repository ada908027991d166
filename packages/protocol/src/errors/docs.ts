/**
 * The error reference, generated from the catalog: the HTML page served at /docs/errors and the
 * committed docs/errors.md. One source, so the docs cannot drift from what the server sends.
 * @module
 */
import { CATALOG } from './catalog/index.js';
import type { CatalogEntry, Locale } from './entry.js';
import { pointsToStatusPage, renderMessage, statusPageUrl, URL_PLACEHOLDERS } from './render.js';

const HEAD: Record<Locale, { title: string; intro: string; cols: [string, string, string, string, string]; cause: string; fix: string; status: string; retry: [string, string] }> = {
  en: {
    title: 'Tollgate error reference',
    intro:
      'Every error the gateway can return. Each has the OpenAI error body `{"error":{"message","type","param","code"}}`; the HTTP status picks the SDK exception class, and `x-should-retry: false` marks errors that a retry cannot fix.',
    cols: ['id', 'status', 'type', 'code', 'retry'],
    cause: 'Cause',
    fix: 'Fix',
    status: 'Status page (is the platform having an incident?)',
    retry: ['retry may help', 'do not retry'],
  },
  'zh-CN': {
    title: 'Tollgate 错误参考',
    intro:
      '网关可能返回的所有错误。每个错误都使用 OpenAI 的错误体 `{"error":{"message","type","param","code"}}`；HTTP 状态码决定 SDK 的异常类，`x-should-retry: false` 标记重试无法解决的错误。',
    cols: ['ID', '状态码', 'type', 'code', '重试'],
    cause: '原因',
    fix: '解决方法',
    status: '状态页（平台是否正在发生事件？）',
    retry: ['可以重试', '不要重试'],
  },
};

const PLACEHOLDER_URL = 'https://<gateway>';

/** The message as a reader sees it: placeholders shown as `<name>`, links on the given URL. */
function exampleMessage(e: CatalogEntry, publicUrl: string): string {
  return renderMessage(e.message.replace(/\{([a-z_]+)\}/g, (whole, name: string) => ((URL_PLACEHOLDERS as readonly string[]).includes(name) ? whole : `<${name}>`)), {}, publicUrl);
}

export function renderErrorDocsMarkdown(locale: Locale, publicUrl = PLACEHOLDER_URL): string {
  const h = HEAD[locale];
  const out: string[] = [`# ${h.title}`, '', h.intro, '', '<!-- generated from the catalog in packages/protocol; do not edit by hand: npm run docs:errors -->', ''];
  out.push(`| ${h.cols.join(' | ')} |`, `|${h.cols.map(() => '---').join('|')}|`);
  for (const e of CATALOG) out.push(`| [${e.id}](#${e.id}) | ${e.status} | \`${e.type}\` | ${e.code === null ? 'null' : `\`${e.code}\``} | ${e.retryable ? h.retry[0] : h.retry[1]} |`);
  out.push('');
  for (const e of CATALOG) {
    out.push(`## ${e.id}`, '', `**${e.title[locale]}** — ${e.status}, \`${e.type}\`, code ${e.code === null ? '`null`' : `\`${e.code}\``}`, '');
    out.push('```', exampleMessage(e, publicUrl), '```', '');
    out.push(`- ${h.cause}: ${e.cause[locale]}`, `- ${h.fix}: ${e.fix[locale]}`);
    if (pointsToStatusPage(e)) out.push(`- ${h.status}: ${statusPageUrl(publicUrl)}`);
    out.push('');
  }
  return out.join('\n');
}

/** Both languages in one file: the committed docs/errors.md. */
export function renderErrorDocsFile(): string {
  return `${renderErrorDocsMarkdown('en')}\n---\n\n${renderErrorDocsMarkdown('zh-CN')}`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const code = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** The page served at GET /docs/errors?lang=en|zh-CN. */
export function renderErrorDocsHtml(locale: Locale, publicUrl: string): string {
  const h = HEAD[locale];
  const rows = CATALOG.map(
    (e) =>
      `<tr><td><a href="#${e.id}">${e.id}</a></td><td>${e.status}</td><td><code>${e.type}</code></td><td><code>${e.code ?? 'null'}</code></td><td>${e.retryable ? h.retry[0] : h.retry[1]}</td></tr>`,
  ).join('\n');
  const sections = CATALOG.map(
    (e) => `<section id="${e.id}"><h2>${e.id} <small>${esc(e.title[locale])}</small></h2>
<p><b>${e.status}</b> · type <code>${e.type}</code> · code <code>${e.code ?? 'null'}</code> · ${e.retryable ? h.retry[0] : h.retry[1]}</p>
<pre>${esc(exampleMessage(e, publicUrl))}</pre>
<p><b>${h.cause}:</b> ${code(e.cause[locale])}</p>
<p><b>${h.fix}:</b> ${code(e.fix[locale])}</p>${pointsToStatusPage(e) ? `\n<p><b>${h.status}:</b> <a href="${esc(statusPageUrl(publicUrl))}">${esc(statusPageUrl(publicUrl))}</a></p>` : ''}</section>`,
  ).join('\n');
  const other = locale === 'en' ? '<a href="?lang=zh-CN">中文</a>' : '<a href="?lang=en">English</a>';
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(h.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}pre{background:#f5f5f5;padding:.6rem;white-space:pre-wrap}section{margin-top:2rem}small{color:#666;font-weight:normal}code{background:#f0f0f0;padding:0 .2rem}</style>
</head><body>
<p style="float:right">${other}</p>
<h1>${esc(h.title)}</h1>
<p>${code(h.intro)}</p>
<table><thead><tr>${h.cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table>
${sections}
</body></html>`;
}
