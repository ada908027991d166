/**
 * The status page as server-rendered HTML: no JavaScript, one inline stylesheet. Each component
 * shows its status, 90 daily bars (worst status of the day, grey for no data; the title of a bar
 * says what happened) and its uptime over those days; then active incidents, maintenances and the
 * incident history. English or Simplified Chinese.
 * @module
 */
import { localizeText } from './detector-texts.js';
import type { ComponentState, PageInfo, Snapshot } from './page.js';
import type { IncidentRecord } from './incidents.js';
import { maintenanceStatus } from './incidents.js';
import { incidentStatusWord, TEXT, type PageLocale } from './i18n.js';
import { uptimeOf, worstOfDay, type UptimeDay } from './uptime.js';
import type { ComponentStatus, RollupDescription } from './vocabulary.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Statuspage's colours (green, yellow, orange, red, blue, with grey for no data). `FILL` paints the
 * daily bars, in shades dark enough for WCAG 2.1's 3:1 for graphics (SC 1.4.11) against the white
 * card they are drawn on and the page around it, and apart enough to tell from one another (the
 * banner's light yellow would reach 1.6:1 as a bar). Text uses `INK`, shades that reach WCAG AA's
 * 4.5:1 on the white cards, and the banner `BANNER`'s pairs, at least 4.5:1 each (white on the
 * dark shades, near-black on the light yellow and orange). test/status/contrast.test.ts computes
 * every pair, the bars' from the rendered page; browser.test.ts the bars as Chromium paints them;
 * the axe test checks the pages.
 */
export const FILL: Record<ComponentStatus | 'none', string> = {
  operational: '#2a9446',
  degraded_performance: '#ad8200',
  partial_outage: '#db5c0e',
  major_outage: '#d63838',
  under_maintenance: '#3b82f6',
  none: '#868c94',
};
export const INK: Record<ComponentStatus, string> = {
  operational: '#1a7f37',
  degraded_performance: '#7a5c00',
  partial_outage: '#b54708',
  major_outage: '#c62828',
  under_maintenance: '#1d4ed8',
};
const DARK = '#1f2328';
const YELLOW = '#f2c94c';
const ORANGE = '#f2994a';
export const BANNER: Record<RollupDescription, { background: string; color: string }> = {
  'All Systems Operational': { background: INK.operational, color: '#fff' },
  'Service Under Maintenance': { background: INK.under_maintenance, color: '#fff' },
  'Partially Degraded Service': { background: YELLOW, color: DARK },
  'Degraded System Service': { background: YELLOW, color: DARK },
  'Minor Service Outage': { background: YELLOW, color: DARK },
  'Partial System Outage': { background: ORANGE, color: DARK },
  'Major System Outage': { background: INK.major_outage, color: '#fff' },
};
/** The page's own greys: muted text on the white cards and on the page, and the page's text. */
export const PAGE_COLORS = { text: DARK, background: '#f7f7f8', card: '#fff', muted: '#5f6368', footer: '#595959' };

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:${PAGE_COLORS.background};color:${PAGE_COLORS.text}}
main{max-width:880px;margin:0 auto;padding:24px 16px 48px}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px}
header h1{font-size:22px;margin:0} header nav a{margin-left:12px;color:${PAGE_COLORS.footer}}
.banner{padding:14px 18px;border-radius:6px;font-weight:600;font-size:18px;margin-bottom:24px}
.card{background:${PAGE_COLORS.card};border:1px solid #e3e3e6;border-radius:6px;margin-bottom:20px}
.comp{padding:14px 18px;border-top:1px solid #eee} .comp:first-child{border-top:0}
.comp .row{display:flex;justify-content:space-between;font-weight:600}
.comp.child{padding-left:34px}
.bars{display:flex;gap:2px;margin:10px 0 4px;height:34px}
.bar{flex:1;border-radius:2px;min-width:3px}
.legend{display:flex;justify-content:space-between;font-size:12px;color:${PAGE_COLORS.muted}}
.incident{padding:14px 18px;border-top:1px solid #eee} .incident:first-child{border-top:0}
.incident h2,.incident h3{margin:0 0 6px;font-size:16px} .incident a{color:inherit}
.update{margin:6px 0;font-size:14px} .update b{margin-right:6px} .muted{color:${PAGE_COLORS.muted};font-size:12px}
h2{font-size:17px;margin:28px 0 10px} footer{font-size:13px;color:${PAGE_COLORS.footer};margin-top:32px} footer a{color:${PAGE_COLORS.footer}}
`;

export interface RenderInput {
  snapshot: Snapshot;
  days: Map<string, UptimeDay[]>;
  locale: PageLocale;
  /** The page's own path, for language links. */
  path: string;
}

export function renderStatusPage(r: RenderInput): string {
  const t = TEXT[r.locale];
  const s = r.snapshot;
  const banner = BANNER[s.description];
  const unresolved = s.incidents.filter((i) => ['investigating', 'identified', 'monitoring'].includes(i.status));
  // Maintenances in progress (or being verified) apart from the upcoming ones; completed ones leave both.
  const maintActive = s.maintenances.filter((m) => ['in_progress', 'verifying'].includes(maintenanceStatus(m, s.now)));
  const maintUpcoming = s.maintenances.filter((m) => maintenanceStatus(m, s.now) === 'scheduled');
  const past = s.incidents.filter((i) => !unresolved.includes(i));
  return page(frameOf(r), `${escapeHtml(s.page.name)} ${t.title}`, `
<div class="banner" style="background:${banner.background};color:${banner.color}" data-indicator="${s.indicator}" data-description="${s.description}">${escapeHtml(t.rollup[s.description])}</div>
${unresolved.length ? `<h2>${t.active}</h2><div class="card">${unresolved.map((i) => incidentBlock(i, r)).join('')}</div>` : ''}
${maintActive.length ? `<h2>${t.maintenanceActive}</h2><div class="card">${maintActive.map((i) => incidentBlock(i, r)).join('')}</div>` : ''}
${maintUpcoming.length ? `<h2>${t.maintenance}</h2><div class="card">${maintUpcoming.map((i) => incidentBlock(i, r)).join('')}</div>` : ''}
<div class="card">${s.components.map((c) => componentBlock(c, r)).join('')}</div>
<h2>${t.history}</h2>
<div class="card">${past.length ? past.map((i) => incidentBlock(i, r)).join('') : `<div class="incident">${t.noIncidents}</div>`}</div>
<p><a href="${lang(r, `${s.page.url}/history`)}">${t.historyAll} →</a></p>`);
}

/** One page of the incident history (incidents and maintenances, newest first), with links to its neighbours. */
export function renderHistoryPage(r: RenderInput, items: readonly IncidentRecord[], pageNo: number, hasOlder: boolean): string {
  const t = TEXT[r.locale];
  const s = r.snapshot;
  const at = (n: number) => `${s.page.url}/history?${n > 1 ? `page=${n}&amp;` : ''}lang=${r.locale}`;
  const nav = [pageNo > 1 ? `<a href="${at(pageNo - 1)}">← ${t.newer}</a>` : '', hasOlder ? `<a href="${at(pageNo + 1)}">${t.older} →</a>` : ''].filter(Boolean).join(' · ');
  return page(frameOf(r), `${t.historyAll} · ${escapeHtml(s.page.name)}`, `
<p><a href="${lang(r, s.page.url)}">← ${t.current}</a></p>
<h2>${t.historyAll}</h2>
<div class="card">${items.length ? items.map((i) => incidentBlock(i, r)).join('') : `<div class="incident">${t.historyEmpty}</div>`}</div>
${nav ? `<p>${nav}</p>` : ''}`);
}

export function renderIncidentPage(r: RenderInput, i: IncidentRecord): string {
  const t = TEXT[r.locale];
  return page(frameOf(r), `${escapeHtml(localizeText(i.name, r.locale))} · ${escapeHtml(r.snapshot.page.name)}`, `
<p><a href="${lang(r, r.snapshot.page.url)}">← ${t.back}</a></p>
<div class="card">${incidentBlock(i, r, 'h2')}</div>`);
}

/**
 * What every page of the status site is drawn in: its language, its own path (for the language
 * links), the page's name and URL, and the time it shows as "last updated" (none on an error page,
 * which shows no data).
 */
export interface PageFrame {
  locale: PageLocale;
  path: string;
  page: Pick<PageInfo, 'name' | 'url'>;
  now?: number;
}

const frameOf = (r: RenderInput): PageFrame => ({ locale: r.locale, path: r.path, page: r.snapshot.page, now: r.snapshot.now });

/**
 * An error of the status site as a page for a person, in the site's style and language: a 404
 * (an unknown incident or path) says there is nothing at the address, another 4xx (a method other
 * than GET) that the request cannot be answered, a 5xx that the page cannot be shown now; each
 * links to the current status. `status`: the HTTP status sent.
 */
export function renderErrorPage(f: PageFrame, status: number): string {
  const t = TEXT[f.locale];
  const [title, text] = status === 404 ? [t.notFoundTitle, t.notFound] : status < 500 ? [t.requestTitle, t.request] : [t.errorTitle, t.error];
  return page(f, `${title} · ${escapeHtml(f.page.name)} ${t.title}`, `
<div class="card"><div class="incident" data-error="${status}"><h2>${title}</h2><p>${text}</p><p><a href="${f.page.url}?lang=${f.locale}">${t.current}</a></p></div></div>`);
}

function page(f: PageFrame, title: string, body: string): string {
  const t = TEXT[f.locale];
  const base = f.page.url;
  const updated = f.now === undefined ? '' : `${t.updated}: ${new Date(f.now).toISOString().replace('T', ' ').slice(0, 16)} UTC · `;
  return `<!doctype html>
<html lang="${f.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<link rel="alternate" type="application/atom+xml" href="${base}/history.atom"><link rel="alternate" type="application/rss+xml" href="${base}/history.rss">
<style>${STYLE}</style></head>
<body><main>
<header><h1>${escapeHtml(f.page.name)} ${t.title}</h1><nav><a href="${escapeHtml(f.path)}?lang=en" hreflang="en" lang="en">English</a><a href="${escapeHtml(f.path)}?lang=zh-CN" hreflang="zh-CN" lang="zh-CN">简体中文</a></nav></header>
${body}
<footer>${updated}<a href="${base}/history.atom">Atom</a> · <a href="${base}/history.rss">RSS</a> · <a href="/api/v2/summary.json">JSON</a></footer>
</main></body></html>`;
}

function lang(r: RenderInput, url: string): string {
  return `${url}?lang=${r.locale}`;
}

function componentBlock(c: ComponentState, r: RenderInput): string {
  const t = TEXT[r.locale];
  const days = r.days.get(c.def.id) ?? [];
  const up = uptimeOf(days);
  const pct = up === null ? t.noData : `${(Math.floor(up * 10000) / 100).toFixed(2)}%`;
  const bars = days
    .map((d) => {
      const w = worstOfDay(d);
      const what = w === null ? t.noData : dayText(d, w, r.locale);
      return `<div class="bar" style="background:${FILL[w ?? 'none']}" data-day="${d.day}" data-status="${w ?? 'none'}" title="${escapeHtml(t.day(d.day, what))}"></div>`;
    })
    .join('');
  return `<div class="comp${c.def.group_id ? ' child' : ''}" data-component="${c.def.id}">
<div class="row"><span>${escapeHtml(t.components[c.def.key] ?? c.def.name)}</span><span style="color:${INK[c.status]}" data-status="${c.status}">${t.status[c.status]}</span></div>
<div class="bars">${bars}</div>
<div class="legend"><span>${t.daysAgo}</span><span>${up === null ? pct : t.uptime(pct)}</span><span>${t.today}</span></div></div>`;
}

/** A daily bar's tooltip: the worst status, then the time spent in each state that is not operational. */
export function dayText(d: UptimeDay, worst: string, locale: PageLocale): string {
  const t = TEXT[locale];
  const parts: string[] = [t.status[worst as keyof typeof t.status]];
  const mins = (ms: number) => Math.round(ms / 60_000);
  if (d.major_ms) parts.push(`${t.status.major_outage} ${t.minutes(mins(d.major_ms))}`);
  if (d.partial_ms) parts.push(`${t.status.partial_outage} ${t.minutes(mins(d.partial_ms))}`);
  if (d.degraded_ms) parts.push(`${t.status.degraded_performance} ${t.minutes(mins(d.degraded_ms))}`);
  if (d.maintenance_ms) parts.push(`${t.status.under_maintenance} ${t.minutes(mins(d.maintenance_ms))}`);
  return parts.join(' · ');
}

/** One incident: under an h3 in the page's sections; alone on its own page (all its updates), an h2. */
function incidentBlock(i: IncidentRecord, r: RenderInput, heading: 'h2' | 'h3' = 'h3'): string {
  const t = TEXT[r.locale];
  const s = r.snapshot;
  const status = i.kind === 'maintenance' ? maintenanceStatus(i, s.now) : i.status;
  const updates = heading === 'h2' ? i.updates : i.updates.slice(0, 3);
  // A maintenance says where it stands (its window's state even before an update records it) and when it runs.
  const when = i.kind === 'maintenance' && i.scheduled_for !== null ? `<div class="muted">${escapeHtml(incidentStatusWord(r.locale, status) ?? status)} · ${t.from} ${fmt(i.scheduled_for)} ${t.until} ${fmt(i.scheduled_until)} UTC</div>` : '';
  // An incident says its impact, which the top-level status does not carry (it blends the components).
  const impact = i.kind === 'incident' ? `<div class="muted" data-impact="${i.impact}">${escapeHtml(t.impact(i.impact))}</div>` : '';
  return `<div class="incident" data-incident="${i.id}" data-status="${status}">
<${heading}><a href="${lang(r, `${s.page.url}/incidents/${i.id}`)}">${escapeHtml(localizeText(i.name, r.locale))}</a></${heading}>${when}${impact}
${updates.map((u) => `<div class="update"><b>${escapeHtml(incidentStatusWord(r.locale, u.status) ?? u.status)}</b>${escapeHtml(localizeText(u.body, r.locale))} <span class="muted">${fmt(u.display_at)} UTC</span></div>`).join('')}</div>`;
}

function fmt(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}
