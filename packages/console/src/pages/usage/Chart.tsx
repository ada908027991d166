/** A line per group over the buckets (uPlot, drawn on a canvas; the table below carries the same numbers for screen readers). */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Report } from './report';

const COLORS = ['#0b57d0', '#b42318', '#1a7f37', '#9a6700', '#8250df', '#0969da', '#bf3989', '#57606a'];

export function Chart({ report, label }: { report: Report; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const names = [...report.series.keys()];
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 280,
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2 }))],
        axes: [{}, { size: 70 }],
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
  }, [report]);
  return <div ref={box} role="img" aria-label={label} className="chart" />;
}
