/**
 * The page's own words in English and Simplified Chinese. Incident names and updates an operator
 * wrote are shown as written; those the gateway wrote (detector, maintenance steps) are stored in
 * English and shown in the page's language (detector-texts.ts).
 * @module
 */
import type { ComponentStatus, RollupDescription } from './vocabulary.js';

export type PageLocale = 'en' | 'zh-CN';

export const TEXT = {
  en: {
    title: 'Status',
    /** The built-in components' names, by key (a model or group is named as configured). */
    components: { api: 'Public API', console: 'Console', admin: 'Admin API' } as Record<string, string>,
    status: {
      operational: 'Operational',
      degraded_performance: 'Degraded performance',
      partial_outage: 'Partial outage',
      major_outage: 'Major outage',
      under_maintenance: 'Under maintenance',
    } satisfies Record<ComponentStatus, string>,
    /** The banner says what summary.json's `status.description` says. */
    rollup: {
      'All Systems Operational': 'All Systems Operational',
      'Service Under Maintenance': 'Service Under Maintenance',
      'Partially Degraded Service': 'Partially Degraded Service',
      'Degraded System Service': 'Degraded System Service',
      'Minor Service Outage': 'Minor Service Outage',
      'Partial System Outage': 'Partial System Outage',
      'Major System Outage': 'Major System Outage',
    } satisfies Record<RollupDescription, string>,
    uptime: (pct: string) => `${pct} uptime`,
    noData: 'No data',
    daysAgo: '90 days ago',
    today: 'Today',
    active: 'Active incidents',
    maintenance: 'Scheduled maintenance',
    maintenanceActive: 'Maintenance in progress',
    history: 'Past incidents',
    historyAll: 'Incident history',
    older: 'Older incidents',
    newer: 'Newer incidents',
    historyEmpty: 'No incidents on this page.',
    noIncidents: 'No incidents reported.',
    updated: 'Last updated',
    from: 'From',
    until: 'until',
    feeds: 'Subscribe: Atom, RSS, JSON (Statuspage API v2)',
    day: (d: string, what: string) => `${d}: ${what}`,
    /** Whole minutes, rounded; a state that lasted under half a minute is `0`: "< 1 min", not "0 min". */
    minutes: (m: number) => (m < 1 ? '< 1 min' : `${m} min`),
    back: 'All incidents',
    postmortem: 'Postmortem',
    notFoundTitle: 'Page not found',
    notFound: 'There is no incident or page at this address. The link may be incomplete, or the incident may have been removed.',
    requestTitle: 'This request cannot be answered',
    request: 'The status page answers page views only; this address was asked for in another way. The current status is one click away.',
    errorTitle: 'The status page is unavailable',
    error: 'It could not be shown just now. Try again in a minute.',
    current: 'Current status',
    /**
     * An incident's impact, shown beside it as Statuspage colours it: the top-level status blends
     * the components, so an incident of impact major can sit under a Minor Service Outage.
     */
    impact: (v: string) => `Impact: ${{ none: 'none', minor: 'minor', major: 'major', critical: 'critical' }[v] ?? v}`,
    incidentStatus: { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved', postmortem: 'Postmortem', scheduled: 'Scheduled', in_progress: 'In progress', verifying: 'Verifying', completed: 'Completed' } as Record<string, string>,
  },
  'zh-CN': {
    title: '服务状态',
    components: { api: '公共 API', console: '控制台', admin: '管理 API' } as Record<string, string>,
    status: {
      operational: '正常运行',
      degraded_performance: '性能下降',
      partial_outage: '部分中断',
      major_outage: '严重中断',
      under_maintenance: '维护中',
    } satisfies Record<ComponentStatus, string>,
    rollup: {
      'All Systems Operational': '所有系统运行正常',
      'Service Under Maintenance': '服务维护中',
      'Partially Degraded Service': '部分服务性能下降',
      'Degraded System Service': '系统性能下降',
      'Minor Service Outage': '少量服务中断',
      'Partial System Outage': '部分系统中断',
      'Major System Outage': '系统严重中断',
    } satisfies Record<RollupDescription, string>,
    uptime: (pct: string) => `可用率 ${pct}`,
    noData: '无数据',
    daysAgo: '90 天前',
    today: '今天',
    active: '进行中的事件',
    maintenance: '计划维护',
    maintenanceActive: '正在进行的维护',
    history: '历史事件',
    historyAll: '事件历史',
    older: '更早的事件',
    newer: '较新的事件',
    historyEmpty: '此页没有事件。',
    noIncidents: '暂无事件报告。',
    updated: '最后更新',
    from: '从',
    until: '至',
    feeds: '订阅：Atom、RSS、JSON（Statuspage API v2）',
    day: (d: string, what: string) => `${d}：${what}`,
    minutes: (m: number) => (m < 1 ? '不到 1 分钟' : `${m} 分钟`),
    back: '全部事件',
    postmortem: '事后分析',
    notFoundTitle: '页面不存在',
    notFound: '此地址没有对应的事件或页面。链接可能不完整，或该事件已被删除。',
    requestTitle: '无法响应此请求',
    request: '状态页只响应页面浏览；此地址是以其他方式请求的。点击下方即可查看当前状态。',
    errorTitle: '状态页暂时无法显示',
    error: '暂时无法显示此页面。请在一分钟后重试。',
    current: '当前状态',
    impact: (v: string) => `影响：${{ none: '无', minor: '轻微', major: '重大', critical: '严重' }[v] ?? v}`,
    incidentStatus: { investigating: '调查中', identified: '已定位', monitoring: '观察中', resolved: '已解决', postmortem: '事后分析', scheduled: '已计划', in_progress: '进行中', verifying: '验证中', completed: '已完成' } as Record<string, string>,
  },
} as const;

/**
 * An incident or maintenance status (Statuspage's word, as stored) in `locale`'s words; undefined
 * for a word the page has none for. Own keys only: a status named like a member of every object
 * ('constructor', 'toString') is not one of them.
 */
export function incidentStatusWord(locale: PageLocale, status: string): string | undefined {
  const words: Readonly<Record<string, string>> = TEXT[locale].incidentStatus;
  return Object.hasOwn(words, status) ? words[status] : undefined;
}

/** `?lang=` first, then Accept-Language; English otherwise. */
export function pickLocale(query: string, acceptLanguage: string | undefined): PageLocale {
  const q = new URLSearchParams(query).get('lang');
  if (q === 'zh-CN' || q === 'zh') return 'zh-CN';
  if (q === 'en') return 'en';
  return /^\s*zh\b/i.test(acceptLanguage ?? '') ? 'zh-CN' : 'en';
}
