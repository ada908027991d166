/** Thresholds, hysteresis, the rollup and the uptime arithmetic, on plain values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { assess, cannotRecover, step, type HysteresisState } from '../../src/status/detect.js';
import { EMPTY } from '../../src/status/signals.js';
import { uptimeOf, worstOfDay, type UptimeDay } from '../../src/status/uptime.js';
import { dayText } from '../../src/status/html.js';
import { detectorText, localizeText, stateWords } from '../../src/status/detector-texts.js';
import { COMPONENT_STATUSES, descriptionOf, indicatorOf, rank, type ComponentStatus } from '../../src/status/vocabulary.js';
import { platformOutcome } from '../../src/status/outcome.js';

const cfg = parseConfig({ status: { window_ms: 60_000, min_requests: 10, first_byte: { slow_ms: 5000, slow_share: 0.5 }, probes: { failures_for_outage: 3 } } }).status;
const counts = (total: number, failed: number, slow = 0) => ({ ...EMPTY, total, failed, slow });

describe('assess', () => {
  it('maps the platform error share to the configured statuses', () => {
    expect(assess(counts(100, 4), EMPTY, cfg).status).toBe('operational');
    expect(assess(counts(100, 5), EMPTY, cfg)).toEqual({ status: 'degraded_performance', cause: 'errors', figures: '5% of requests failed (5 of 100) over the last 1 min' });
    expect(assess(counts(100, 25), EMPTY, cfg).status).toBe('partial_outage');
    expect(assess(counts(100, 60), EMPTY, cfg).status).toBe('major_outage');
  });
  it('too few requests is no evidence', () => {
    expect(assess(counts(9, 9), EMPTY, cfg).status).toBe('operational');
  });
  it('slow first bytes degrade performance', () => {
    expect(assess(counts(20, 0, 10), EMPTY, cfg)).toMatchObject({ status: 'degraded_performance', cause: 'latency' });
    expect(assess(counts(20, 0, 9), EMPTY, cfg).status).toBe('operational');
  });
  it('consecutive failed probes are a major outage; one success is not', () => {
    expect(assess(EMPTY, { ...EMPTY, probes: 3, probe_failed: 3 }, cfg)).toMatchObject({ status: 'major_outage', cause: 'probes' });
    expect(assess(EMPTY, { ...EMPTY, probes: 3, probe_failed: 2 }, cfg).status).toBe('operational');
  });
});

describe('cannotRecover', () => {
  it('silence or a few failing requests hold a component; a few clean requests or clean probes let it recover', () => {
    expect(cannotRecover(EMPTY, EMPTY, cfg)).toBe(true);
    expect(cannotRecover(counts(3, 1), EMPTY, cfg)).toBe(true);
    expect(cannotRecover(counts(3, 0), EMPTY, cfg)).toBe(false);
    expect(cannotRecover(EMPTY, { ...EMPTY, probes: 1, probe_failed: 0 }, cfg)).toBe(false);
    expect(cannotRecover(EMPTY, { ...EMPTY, probes: 2, probe_failed: 1 }, cfg)).toBe(true);
    // Enough requests are evidence either way: the thresholds decide.
    expect(cannotRecover(counts(10, 1), EMPTY, cfg)).toBe(false);
  });
});

describe('hysteresis', () => {
  const h = { degrade_after: 2, recover_after: 3 };
  const run = (seq: ComponentStatus[]) => seq.reduce<HysteresisState>((s, n) => step(s, n, h), { status: 'operational', pending_status: null, pending_count: 0 }).status;
  it('one bad evaluation does not flap the page; two in a row do', () => {
    expect(run(['major_outage'])).toBe('operational');
    expect(run(['major_outage', 'operational', 'major_outage'])).toBe('operational');
    expect(run(['major_outage', 'major_outage'])).toBe('major_outage');
  });
  it('recovery needs recover_after good evaluations in a row', () => {
    expect(run(['major_outage', 'major_outage', 'operational', 'operational'])).toBe('major_outage');
    expect(run(['major_outage', 'major_outage', 'operational', 'operational', 'operational'])).toBe('operational');
  });
});

describe('rollup', () => {
  it('the indicator never improves when a component gets worse', () => {
    const st = fc.constantFrom(...COMPONENT_STATUSES);
    fc.assert(
      fc.property(fc.array(st, { minLength: 1, maxLength: 8 }), fc.nat(), st, (list, i, worse) => {
        const j = i % list.length;
        if (rank(worse) < rank(list[j]!)) return;
        const after = list.map((s, k) => (k === j ? worse : s));
        const order = ['none', 'minor', 'major', 'critical'];
        expect(order.indexOf(indicatorOf(after))).toBeGreaterThanOrEqual(order.indexOf(indicatorOf(list)));
      }),
    );
  });
  it("uses Atlassian's texts", () => {
    expect(descriptionOf(['operational', 'operational'])).toBe('All Systems Operational');
    expect(descriptionOf(['operational', 'under_maintenance'])).toBe('Service Under Maintenance');
    expect(descriptionOf(['major_outage', 'operational'])).toBe('Partial System Outage');
    expect(descriptionOf(['major_outage', 'major_outage'])).toBe('Major System Outage');
    expect(descriptionOf(['degraded_performance', 'degraded_performance'])).toBe('Degraded System Service');
  });
});

describe('uptime', () => {
  const day = (o: Partial<UptimeDay>): UptimeDay => ({ day: '2026-06-01', operational_ms: 0, degraded_ms: 0, partial_ms: 0, major_ms: 0, maintenance_ms: 0, ...o });
  const DAY = 86_400_000;
  it('weighs a major outage fully, a partial outage at 30%, leaves maintenance out, and says "no data" for nothing', () => {
    expect(uptimeOf([day({ operational_ms: DAY * 0.9, major_ms: DAY * 0.1 })])).toBeCloseTo(0.9);
    expect(uptimeOf([day({ operational_ms: DAY * 0.9, partial_ms: DAY * 0.1 })])).toBeCloseTo(0.97);
    // A day watched for a second counts whole: 100 ms of major outage weighs against 24 h.
    expect(uptimeOf([day({ operational_ms: 900, major_ms: 100 })])).toBe(1 - 100 / DAY);
    expect(uptimeOf([day({ operational_ms: 1000, maintenance_ms: 5000 })])).toBe(1);
    expect(uptimeOf([day({})])).toBeNull();
    expect(worstOfDay(day({}))).toBeNull();
    expect(worstOfDay(day({ operational_ms: 5, degraded_ms: 1, maintenance_ms: 1 }))).toBe('degraded_performance');
  });
});

describe('whose fault', () => {
  it('counts platform failures, never caller errors', () => {
    expect(platformOutcome(200, null)).toBe('ok');
    expect(platformOutcome(500, 'server_error')).toBe('failed');
    expect(platformOutcome(429, 'engine_overloaded')).toBe('failed');
    expect(platformOutcome(504, 'upstream_first_byte_timeout')).toBe('failed');
    expect(platformOutcome(200, 'upstream_idle_timeout')).toBe('failed'); // a stream cut by the engine
    expect(platformOutcome(502, 'upstream_500')).toBe('failed');
    for (const [s, c] of [[400, 'invalid_type'], [401, 'invalid_api_key'], [429, 'rate_limit_requests'], [429, 'insufficient_quota'], [404, 'model_not_found'], [499, 'client_disconnected'], [400, 'upstream_400']] as const) {
      expect(platformOutcome(s, c)).toBe('excluded');
    }
  });
});

describe('day tooltips', () => {
  const day = (o: Partial<UptimeDay>): UptimeDay => ({ day: '2026-06-18', operational_ms: 0, degraded_ms: 0, partial_ms: 0, major_ms: 0, maintenance_ms: 0, ...o });
  it('a state that lasted under a minute reads "< 1 min", never "0 min"', () => {
    expect(dayText(day({ major_ms: 25_000, maintenance_ms: 3_000 }), 'major_outage', 'en')).toBe('Major outage · Major outage < 1 min · Under maintenance < 1 min');
    expect(dayText(day({ degraded_ms: 29_000 }), 'degraded_performance', 'zh-CN')).toBe('性能下降 · 性能下降 不到 1 分钟');
    expect(dayText(day({ major_ms: 45 * 60_000 }), 'major_outage', 'en')).toBe('Major outage · Major outage 45 min');
  });
});

describe('the texts the gateway writes, on the Chinese page', () => {
  const zh = (t: string) => localizeText(t, 'zh-CN');
  it('every detector and maintenance text comes back in Chinese with its figures; an operator text is shown as written', () => {
    const errors = assess(counts(61, 37), EMPTY, cfg);
    const latency = assess(counts(20, 0, 10), EMPTY, cfg);
    const probes = assess(EMPTY, { ...EMPTY, probes: 3, probe_failed: 3 }, cfg);
    expect(zh(detectorText('nameErrors', { c: 'sim-large' }))).toBe('sim-large 错误率升高');
    expect(zh(detectorText('nameLatency', { c: 'sim-small' }))).toBe('sim-small 响应缓慢');
    expect(zh(detectorText('nameProbes', { c: 'ext' }))).toBe('ext 未响应探测');
    expect(zh(detectorText('opened', { c: 'sim-large', state: stateWords('major_outage'), figures: errors.figures! }))).toBe('我们正在调查 sim-large 的严重中断：最近 1 分钟内 61% 的请求失败（61 个中 37 个）。');
    expect(zh(detectorText('changed', { c: 'sim-small', state: stateWords('degraded_performance'), figures: latency.figures! }))).toBe('sim-small 现为性能下降：最近 1 分钟内 50% 的响应超过 5 秒才开始（20 个中 10 个）。');
    expect(zh(detectorText('opened', { c: 'ext', state: stateWords('major_outage'), figures: probes.figures! }))).toBe('我们正在调查 ext 的严重中断：最近 3 次探测均失败。');
    expect(zh(detectorText('recoveredWithFigures', { c: 'ext', pct: 0, failed: 0, total: 68 }))).toBe('ext 已恢复正常运行（最近一个窗口内 0% 的请求失败，68 个中 0 个）。此事件已解决。');
    expect(zh(detectorText('recovered', { c: 'sim-large' }))).toBe('sim-large 已恢复正常运行。此事件已解决。');
    expect(zh(detectorText('statusChanged', { status: 'identified' }))).toBe('状态已变为“已定位”。');
    expect(zh('The scheduled maintenance is now in progress.')).toBe('计划维护正在进行。');
    expect(zh('This incident has been resolved.')).toBe('此事件已解决。');
    // The English is what is stored and served (JSON, feeds, webhooks): unchanged.
    expect(detectorText('opened', { c: 'sim-large', state: stateWords('major_outage'), figures: errors.figures! })).toBe('We are investigating a major outage on sim-large: 61% of requests failed (37 of 61) over the last 1 min.');
    expect(localizeText('Elevated error rate on sim-large', 'en')).toBe('Elevated error rate on sim-large');
    expect(zh(detectorText('nameErrors', { c: 'Public API' }))).toBe('公共 API 错误率升高');
    expect(zh(detectorText('recovered', { c: 'Admin API' }))).toBe('管理 API 已恢复正常运行。此事件已解决。');
    for (const own of ['A disk reached its write limit', 'We are investigating a fire on the roof: it is hot.', '']) expect(zh(own)).toBe(own);
  });

  it("an operator's update naming a status like a member of every object is shown as written, never as Object's function", () => {
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const text = `Status changed to ${word}.`;
      expect(zh(text)).toBe(text);
    }
  });
});
