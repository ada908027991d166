/**
 * The texts the gateway writes itself into incidents — the detector's names and updates and the
 * default maintenance updates — in both languages of the page. They are stored (and served in the
 * Statuspage JSON, the feeds and the webhooks) in English, as written; the Chinese page shows them
 * in Chinese by reading a stored text back against the same templates (`localizeText`). Text an
 * operator wrote matches no template and is shown as written.
 * @module
 */
import { incidentStatusWord, TEXT, type PageLocale } from './i18n.js';
import type { ComponentStatus } from './vocabulary.js';

type Texts = Readonly<Record<PageLocale, string>>;

/** Whole texts: incident names and update bodies. `{c}` is a component's name. */
const TEXTS = {
  nameErrors: { en: 'Elevated error rate on {c}', 'zh-CN': '{c} 错误率升高' },
  nameLatency: { en: 'Slow responses from {c}', 'zh-CN': '{c} 响应缓慢' },
  nameProbes: { en: '{c} is not answering probes', 'zh-CN': '{c} 未响应探测' },
  opened: { en: 'We are investigating {state} on {c}: {figures}.', 'zh-CN': '我们正在调查 {c} 的{state}：{figures}。' },
  changed: { en: '{c} now shows {state}: {figures}.', 'zh-CN': '{c} 现为{state}：{figures}。' },
  recoveredWithFigures: {
    en: '{c} has recovered and is operating normally ({pct}% of requests failed over the last window, {failed} of {total}). This incident has been resolved.',
    'zh-CN': '{c} 已恢复正常运行（最近一个窗口内 {pct}% 的请求失败，{total} 个中 {failed} 个）。此事件已解决。',
  },
  recovered: { en: '{c} has recovered and is operating normally. This incident has been resolved.', 'zh-CN': '{c} 已恢复正常运行。此事件已解决。' },
  resolvedDefault: { en: 'This incident has been resolved.', 'zh-CN': '此事件已解决。' },
  statusChanged: { en: 'Status changed to {status}.', 'zh-CN': '状态已变为“{status}”。' },
  maintenanceScheduled: { en: 'Scheduled maintenance.', 'zh-CN': '计划维护。' },
  maintenanceInProgress: { en: 'The scheduled maintenance is now in progress.', 'zh-CN': '计划维护正在进行。' },
  maintenanceCompleted: { en: 'The scheduled maintenance has been completed.', 'zh-CN': '计划维护已完成。' },
} as const satisfies Record<string, Texts>;

/** The `{figures}` of the detector's texts: what the window showed. `{span}` is a duration. */
const FIGURES = {
  errors: { en: '{pct}% of requests failed ({failed} of {total}) over the last {span}', 'zh-CN': '最近 {span}内 {pct}% 的请求失败（{total} 个中 {failed} 个）' },
  latency: { en: '{pct}% of responses took more than {slow} to start ({slow_n} of {ok}) over the last {span}', 'zh-CN': '最近 {span}内 {pct}% 的响应超过 {slow}才开始（{ok} 个中 {slow_n} 个）' },
  probes: { en: 'the last {n} probes failed', 'zh-CN': '最近 {n} 次探测均失败' },
} as const satisfies Record<string, Texts>;

/** `{state}`: a status as the sentences say it. */
const STATE: Readonly<Record<ComponentStatus, Texts>> = {
  operational: { en: 'normal operation', 'zh-CN': '正常运行' },
  degraded_performance: { en: 'degraded performance', 'zh-CN': '性能下降' },
  partial_outage: { en: 'a partial outage', 'zh-CN': '部分中断' },
  major_outage: { en: 'a major outage', 'zh-CN': '严重中断' },
  under_maintenance: { en: 'maintenance', 'zh-CN': '维护' },
};

export type TextId = keyof typeof TEXTS;
export type FiguresId = keyof typeof FIGURES;
type Vars = Readonly<Record<string, string | number>>;

const fill = (template: string, vars: Vars): string => template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

/** A text the gateway writes, in English (as stored). */
export const detectorText = (id: TextId, vars: Vars = {}): string => fill(TEXTS[id].en, vars);
/** A window's figures, in English (as stored). */
export const figuresText = (id: FiguresId, vars: Vars): string => fill(FIGURES[id].en, vars);
/** A status as the sentences say it, in English. */
export const stateWords = (s: ComponentStatus): string => STATE[s].en;

/** A duration as `formatSpan` writes it ("1 min", "20 s", "500 ms"), in `locale`. */
function localizeSpan(span: string, locale: PageLocale): string {
  if (locale === 'en') return span;
  const m = /^(\d+(?:\.\d+)?) (min|s|ms)$/.exec(span);
  if (!m) return span;
  return `${m[1]} ${{ min: '分钟', s: '秒', ms: '毫秒' }[m[2] as 'min' | 's' | 'ms']}`;
}

interface Compiled {
  regex: RegExp;
  names: string[];
  texts: Texts;
}

/** The English template as a regex: each `{name}` captures; `{c}` and `{figures}` anything, numbers digits. */
function compile(texts: Texts): Compiled {
  const names: string[] = [];
  const source = texts.en
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return ['c', 'figures', 'state', 'status', 'span', 'slow'].includes(m[1]!) ? '(.+?)' : '(\\d+(?:\\.\\d+)?)';
    })
    .join('');
  return { regex: new RegExp(`^${source}$`, 's'), names, texts };
}

const COMPILED_TEXTS = Object.values(TEXTS).map(compile);
const COMPILED_FIGURES = Object.values(FIGURES).map(compile);
const STATE_BY_EN = new Map(Object.values(STATE).map((t) => [t.en, t]));
/** A built-in component's English name → its key, so `{c}` is named in the page's language too. */
const BUILTIN_BY_EN = new Map(Object.entries(TEXT.en.components).map(([key, name]) => [name, key]));

function match(list: readonly Compiled[], text: string): { c: Compiled; vars: Record<string, string> } | null {
  for (const c of list) {
    const m = c.regex.exec(text);
    if (!m) continue;
    const vars: Record<string, string> = {};
    c.names.forEach((n, i) => (vars[n] = m[i + 1]!));
    return { c, vars };
  }
  return null;
}

function localizeFigures(text: string, locale: PageLocale): string | null {
  const hit = match(COMPILED_FIGURES, text);
  if (!hit) return null;
  const vars = { ...hit.vars };
  for (const k of ['span', 'slow']) if (vars[k] !== undefined) vars[k] = localizeSpan(vars[k], locale);
  return fill(hit.c.texts[locale], vars);
}

/**
 * A stored incident name or update body in `locale`: a text the gateway wrote (matched against its
 * English template, with its figures and status words) comes back in that language; any other
 * text, an operator's, unchanged.
 */
export function localizeText(text: string, locale: PageLocale): string {
  if (locale === 'en') return text;
  const hit = match(COMPILED_TEXTS, text);
  if (!hit) return text;
  const vars: Record<string, string> = { ...hit.vars };
  const builtin = vars.c === undefined ? undefined : BUILTIN_BY_EN.get(vars.c);
  if (builtin !== undefined) vars.c = TEXT[locale].components[builtin] ?? vars.c;
  if (vars.state !== undefined) {
    const state = STATE_BY_EN.get(vars.state);
    if (!state) return text;
    vars.state = state[locale];
  }
  if (vars.status !== undefined) {
    const word = incidentStatusWord(locale, vars.status);
    if (word === undefined) return text;
    vars.status = word;
  }
  if (vars.figures !== undefined) {
    const figures = localizeFigures(vars.figures, locale);
    if (figures === null) return text;
    vars.figures = figures;
  }
  return fill(hit.c.texts[locale], vars);
}
