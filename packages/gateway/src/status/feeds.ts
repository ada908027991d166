/**
 * Atom and RSS feeds of incidents and maintenances (`/status/history.atom`, `/status/history.rss`),
 * one entry per incident, updated with its newest update.
 * @module
 */
import { escapeHtml } from './html.js';
import type { IncidentRecord } from './incidents.js';
import type { Snapshot } from './page.js';

const iso = (ms: number) => new Date(ms).toISOString();

function entries(s: Snapshot): IncidentRecord[] {
  return [...s.incidents, ...s.maintenances].sort((a, b) => b.updated_at - a.updated_at).slice(0, 50);
}

function content(i: IncidentRecord): string {
  return i.updates.map((u) => `<p><small>${iso(u.display_at)}</small><br><strong>${escapeHtml(u.status)}</strong> - ${escapeHtml(u.body)}</p>`).join('');
}

export function atomFeed(s: Snapshot): string {
  const base = s.page.url;
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>tag:tollgate,2026:${s.page.id}:history</id>
<title>${escapeHtml(s.page.name)} Status - Incident History</title>
<link rel="alternate" type="text/html" href="${base}"/>
<link rel="self" type="application/atom+xml" href="${base}/history.atom"/>
<updated>${iso(s.page.updated_at)}</updated>
${entries(s)
  .map(
    (i) => `<entry>
<id>tag:tollgate,2026:${s.page.id}:incident:${i.id}</id>
<published>${iso(i.created_at)}</published>
<updated>${iso(i.updated_at)}</updated>
<link rel="alternate" type="text/html" href="${base}/incidents/${i.id}"/>
<title>${escapeHtml(i.name)}</title>
<content type="html">${escapeHtml(content(i))}</content>
</entry>`,
  )
  .join('\n')}
</feed>
`;
}

export function rssFeed(s: Snapshot): string {
  const base = s.page.url;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escapeHtml(s.page.name)} Status - Incident History</title>
<link>${base}</link>
<description>Statuspage</description>
<atom:link href="${base}/history.rss" rel="self" type="application/rss+xml"/>
<pubDate>${new Date(s.page.updated_at).toUTCString()}</pubDate>
${entries(s)
  .map(
    (i) => `<item>
<title>${escapeHtml(i.name)}</title>
<description>${escapeHtml(content(i))}</description>
<pubDate>${new Date(i.created_at).toUTCString()}</pubDate>
<link>${base}/incidents/${i.id}</link>
<guid isPermaLink="false">${s.page.id}:incident:${i.id}</guid>
</item>`,
  )
  .join('\n')}
</channel>
</rss>
`;
}
