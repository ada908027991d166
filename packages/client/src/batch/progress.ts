/**
 * The text of the batch command's progress display: a bar with rate, ETA and error counts for a
 * terminal, a plain line for logs. Pure functions, so they are tested without a terminal.
 * @module
 */
import type { BatchProgress, BatchSummary } from './run-batch.js';

/** `1h2m`, `3m5s`, `42s`. */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}

function errorsText(byCode: Record<string, number>, max = 3): string {
  const entries = Object.entries(byCode).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'errors 0';
  const total = entries.reduce((n, [, c]) => n + c, 0);
  const shown = entries.slice(0, max).map(([code, c]) => `${code} ${c}`);
  if (entries.length > max) shown.push('…');
  return `errors ${total} (${shown.join(', ')})`;
}

interface Figures {
  finished: number;
  pct: number | undefined;
  rate: number;
  eta: string;
}

function figures(p: BatchProgress, total: number | undefined): Figures {
  const finished = p.done + p.skipped + p.duplicates;
  const rate = p.elapsedMs > 0 ? p.done / (p.elapsedMs / 1000) : 0;
  const left = total === undefined ? undefined : Math.max(0, total - finished);
  // The pacer holds the run to its limit: once a burst has used the bucket, requests finish at
  // the paced rate however fast the first ones went, so the ETA uses the slower of the two.
  const etaRate = p.pacedPerSecond !== undefined && p.pacedPerSecond > 0 ? (rate > 0 ? Math.min(rate, p.pacedPerSecond) : p.pacedPerSecond) : rate;
  const eta = left === undefined ? '?' : left === 0 ? '0s' : etaRate > 0 ? formatEta((left / etaRate) * 1000) : '?';
  return { finished, pct: total ? Math.min(100, Math.floor((finished / total) * 100)) : undefined, rate, eta };
}

/** One terminal line (no newline): `[█████░░░░░]  52% 1040/2000  12.3 req/s  ETA 1m18s  errors 3 (...)`. */
export function renderBar(p: BatchProgress, total: number | undefined, columns = 80): string {
  const f = figures(p, total);
  const counts = total === undefined ? `${f.finished}` : `${f.finished}/${total}`;
  const tail = ` ${String(f.pct ?? '?').padStart(3)}% ${counts}  ${f.rate.toFixed(1)} req/s  ETA ${f.eta}  ${errorsText(p.byCode)}`;
  const width = Math.max(10, Math.min(40, columns - tail.length - 3));
  const filled = f.pct === undefined ? 0 : Math.round((f.pct / 100) * width);
  const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}`;
  return line.length > columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** One log line: `progress 1040/2000 (52%) 12.3 req/s eta 1m18s errors 3 (...)`. */
export function renderLine(p: BatchProgress, total: number | undefined): string {
  const f = figures(p, total);
  const counts = total === undefined ? `${f.finished}` : `${f.finished}/${total} (${f.pct}%)`;
  return `progress ${counts} ${f.rate.toFixed(1)} req/s eta ${f.eta} in-flight ${p.inFlight} ${errorsText(p.byCode, 10)}`;
}

export function renderSummary(s: BatchSummary): string {
  const lines = [
    `${s.aborted ? 'Stopped' : 'Done'}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} already done, ${s.duplicates} duplicate ids${s.unsent > 0 ? `, ${s.unsent} not sent` : ''}, in ${formatEta(s.elapsedMs)}.`,
  ];
  const codes = Object.entries(s.byCode).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) {
    lines.push('Errors by code:');
    for (const [code, n] of codes) lines.push(`  ${code.padEnd(32)} ${n}`);
  }
  if (s.aborted) lines.push('Run the same command again to continue: requests that succeeded are skipped, the others are sent.');
  else if (s.failed > 0) lines.push('Run the same command again to retry the failed lines: requests that succeeded are skipped.');
  return lines.join('\n');
}
