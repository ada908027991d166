/**
 * The status page as server-rendered HTML: no JavaScript, one inline stylesheet. Each component
 * shows its status, 90 daily bars (worst status of the day, grey for no data; the title of a bar
 * says what happened) and its uptime over those days; then active incidents, maintenances and the
 * incident history. English or Simplified Chinese.
 * @module
 */
import type { ComponentState, Snapshot } from './page.js';
import type { IncidentRecord } from './incidents.js';
import { maintenanceStatus } from './incidents.js';
import { TEXT, type PageLocale } from './i18n.js';
import { uptimeOf, worstOfDay, type UptimeDay } from './uptime.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLOR: Record<string, string> = {
  operational: '#2fb344',
  degraded_performance: '#f2c94c',
  partial_outage: '#f2994a',
  major_outage: '#eb5757',
  under_maintenance: '#3b82f6',
  none: '#d1d5db',
};

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f7f7f8;color:#1f2328}
main{max-width:880px;margin:0 auto;padding:24px 16px 48px}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px}
header h1{font-size:22px;margin:0} header nav a{margin-left:12px;color:#555}
.banner{padding:14px 18px;border-radius:6px;color:#fff;font-weight:600;font-size:18px;margin-bottom:24px}
.card{background:#fff;border:1px solid #e3e3e6;border-radius:6px;margin-bottom:20px}
.comp{padding:14px 18px;border-top:1px solid #eee} .comp:first-child{border-top:0}
.comp .row{display:flex;justify-content:space-between;font-weight:600}
.comp.child{padding-left:34px}
.bars{display:flex;gap:2px;margin:10px 0 4px;height:34px}
.bar{flex:1;border-radius:2px;min-width:3px}
.legend{display:flex;justify-content:space-between;font-size:12px;color:#777}
.incident{padding:14px 18px;border-top:1px solid #eee} .incident:first-child{border-top:0}
.incident h3{margin:0 0 6px;font-size:16px} .incident h3 a{color:inherit}
.update{margin:6px 0;font-size:14px} .update b{margin-right:6px} .muted{color:#777;font-size:12px}
h2{font-size:17px;margin:28px 0 10px} footer{font-size:13px;color:#666;margin-top:32px} footer a{color:#555}
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
  const bannerColor = s.indicator === 'none' ? (s.components.some((c) => c.status === 'under_maintenance') ? COLOR.under_maintenance : COLOR.operational) : s.indicator === 'minor' ? COLOR.degraded_performance : s.indicator === 'major' ? COLOR.partial_outage : COLOR.major_outage;
  const unresolved = s.incidents.filter((i) => ['investigating', 'identified', 'monitoring'].includes(i.status));
  const maint = s.maintenances.filter((m) => maintenanceStatus(m, s.now) !== 'completed');
  const past = s.incidents.filter((i) => !unresolved.includes(i));
  return page(r, `${escapeHtml(s.page.name)} ${t.title}`, `
<div class="banner" style="background:${bannerColor}" data-indicator="${s.indicator}">${escapeHtml(t.rollup[s.indicator]!)}</div>
${unresolved.length ? `<h2>${t.active}</h2><div class="card">${unresolved.map((i) => incidentBlock(i, r)).join('')}</div>` : ''}
${maint.length ? `<h2>${t.maintenance}</h2><div class="card">${maint.map((i) => incidentBlock(i, r)).join('')}</div>` : ''}
<div class="card">${s.components.map((c) => componentBlock(c, r)).join('')}</div>
<h2>${t.history}</h2>
<div class="card">${past.length ? past.map((i) => incidentBlock(i, r)).join('') : `<div class="incident">${t.noIncidents}</div>`}</div>`);
}

export function renderIncidentPage(r: RenderInput, i: IncidentRecord): string {
  const t = TEXT[r.locale];
  return page(r, `${escapeHtml(i.name)} · ${escapeHtml(r.snapshot.page.name)}`, `
<p><a href="${lang(r, r.snapshot.page.url)}">← ${t.back}</a></p>
<div class="card">${incidentBlock(i, r, true)}</div>`);
}

function page(r: RenderInput, title: string, body: string): string {
  const t = TEXT[r.locale];
  const s = r.snapshot;
  const base = s.page.url;
  return `<!doctype html>
<html lang="${r.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<link rel="alternate" type="application/atom+xml" href="${base}/history.atom"><link rel="alternate" type="application/rss+xml" href="${base}/history.rss">
<style>${STYLE}</style></head>
<body><main>
<header><h1>${escapeHtml(s.page.name)} ${t.title}</h1><nav><a href="${r.path}?lang=en" hreflang="en">English</a><a href="${r.path}?lang=zh-CN" hreflang="zh-CN">简体中文</a></nav></header>
${body}
<footer>${t.updated}: ${new Date(s.now).toISOString().replace('T', ' ').slice(0, 16)} UTC · <a href="${base}/history.atom">Atom</a> · <a href="${base}/history.rss">RSS</a> · <a href="/api/v2/summary.json">JSON</a></footer>
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
      return `<div class="bar" style="background:${COLOR[w ?? 'none']}" data-day="${d.day}" data-status="${w ?? 'none'}" title="${escapeHtml(t.day(d.day, what))}"></div>`;
    })
    .join('');
  return `<div class="comp${c.def.group_id ? ' child' : ''}" data-component="${c.def.id}">
<div class="row"><span>${escapeHtml(c.def.name)}</span><span style="color:${COLOR[c.status]}" data-status="${c.status}">${t.status[c.status]}</span></div>
<div class="bars">${bars}</div>
<div class="legend"><span>${t.daysAgo}</span><span>${up === null ? pct : t.uptime(pct)}</span><span>${t.today}</span></div></div>`;
}

function dayText(d: UptimeDay, worst: string, locale: PageLocale): string {
  const t = TEXT[locale];
  const parts: string[] = [t.status[worst as keyof typeof t.status]];
  const mins = (ms: number) => Math.round(ms / 60_000);
  if (d.major_ms) parts.push(`${t.status.major_outage} ${t.minutes(mins(d.major_ms))}`);
  if (d.partial_ms) parts.push(`${t.status.partial_outage} ${t.minutes(mins(d.partial_ms))}`);
  if (d.degraded_ms) parts.push(`${t.status.degraded_performance} ${t.minutes(mins(d.degraded_ms))}`);
  if (d.maintenance_ms) parts.push(`${t.status.under_maintenance} ${t.minutes(mins(d.maintenance_ms))}`);
  return parts.join(' · ');
}

function incidentBlock(i: IncidentRecord, r: RenderInput, full = false): string {
  const t = TEXT[r.locale];
  const s = r.snapshot;
  const status = i.kind === 'maintenance' ? maintenanceStatus(i, s.now) : i.status;
  const updates = full ? i.updates : i.updates.slice(0, 3);
  const when = i.kind === 'maintenance' && i.scheduled_for !== null ? `<div class="muted">${t.from} ${fmt(i.scheduled_for)} ${t.until} ${fmt(i.scheduled_until)} UTC</div>` : '';
  return `<div class="incident" data-incident="${i.id}" data-status="${status}">
<h3><a href="${lang(r, `${s.page.url}/incidents/${i.id}`)}">${escapeHtml(i.name)}</a></h3>${when}
${updates.map((u) => `<div class="update"><b>${escapeHtml(t.incidentStatus[u.status] ?? u.status)}</b>${escapeHtml(u.body)} <span class="muted">${fmt(u.display_at)} UTC</span></div>`).join('')}</div>`;
}

function fmt(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}
