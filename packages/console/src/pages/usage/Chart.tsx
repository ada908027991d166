/**
 * A line per group over the buckets (uPlot, drawn on a canvas; the table below carries the same
 * numbers for screen readers). Axis labels and the legend's values follow the viewer's language
 * and, for minutes and hours, time zone (axes.ts). Daily buckets are UTC days, so with `utcDays`
 * the ticks fall on UTC midnights, a day or more apart, and the axis and the legend name each
 * point by its UTC date: in Shanghai a point is "Dec 1", not "8:00 AM Dec 1".
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatUsd } from '../../lib/money';
import { formatTime, formatUtcDay } from '../../lib/time';
import { DAY_INCREMENTS, timeLabels, valueLabels } from './axes';
import type { Report } from './groups';

const COLORS = ['#0b57d0', '#b42318', '#1a7f37', '#9a6700', '#8250df', '#0969da', '#bf3989', '#57606a'];

/** The time axis's font (uPlot's default, named here so that its labels can be measured). */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
let measure: CanvasRenderingContext2D | null | undefined;

/**
 * The room a time label needs beyond the tick it is centred on: half its widest line in the
 * axis font, and 2 px to spare (CSS pixels).
 */
function overhang(label: string | undefined): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!label || !measure) return 0;
  measure.font = AXIS_FONT;
  return Math.ceil(Math.max(...label.split('\n').map((line) => measure!.measureText(line).width)) / 2) + 2;
}

/** `labels`: each group's name in the legend (the group itself where absent). */
export function Chart({ report, labels, label, lang, money, utcDays }: { report: Report; labels: ReadonlyMap<string, string>; label: string; lang: string; money: boolean; utcDays: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const names = [...report.series.keys()];
    const value = (v: number | null) => (v === null ? '—' : money ? formatUsd(v, lang) : v.toLocaleString(lang));
    // The time labels last drawn. The first and last ticks can fall on the plot's edges, each label
    // centred on its tick: the padding leaves half a label of room beyond the right edge, and
    // beyond the left one where there is no value axis (no data) to take that room.
    let times: string[] = [];
    const when = (v: number) => (utcDays ? formatUtcDay(v, lang) : formatTime(v, lang));
    const plot = new uPlot(
      {
        ...(utcDays ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
        width: Math.max(280, el.clientWidth),
        height: 280,
        padding: [null, () => overhang(times.at(-1)), null, names.length === 0 ? () => overhang(times[0]) : null],
        series: [{ value: (_u, v) => (v === null ? '—' : when(v)) }, ...names.map((n, i) => ({ label: labels.get(n) ?? n, stroke: COLORS[i % COLORS.length], width: 2, value: (_u: uPlot, v: number | null) => value(v) }))],
        axes: [
          { font: AXIS_FONT, values: (_u, splits) => (times = timeLabels(splits, lang, utcDays ? 'UTC' : undefined)), size: 50, ...(utcDays ? { incrs: DAY_INCREMENTS } : {}) },
          // Wide enough for the longest label ("$0.0000033"), at about 7.5 px a character.
          { values: (_u, splits) => valueLabels(splits, lang, money), size: (_u, values) => 24 + 7.5 * Math.max(4, ...(values ?? []).map((v) => v.length)) },
        ],
        legend: { show: names.length > 1 },
      },
      [report.times, ...names.map((n) => report.series.get(n)!)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 280 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [report, labels, lang, money, utcDays]);
  return <div ref={box} role="img" aria-label={label} className="chart" />;
}
