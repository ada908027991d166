/**
 * `error.supportReport()`: everything the error guide says support needs for an error that
 * persists — the model, the error message and code, the request data and headers (keys and
 * secrets redacted), the time with its time zone, and the request id — as an object and as text.
 * @module
 */
import { VERSION } from '../version.js';
import type { SentRequest, TollgateError } from './classes.js';
import { redactData, redactHeaders, redactText } from './redact.js';

/** What the caller can add when the error did not come through this SDK's client. */
export interface SupportContext {
  request?: SentRequest;
  model?: string;
}

export interface SupportReport {
  /** Local time of the error, ISO 8601 with its UTC offset, e.g. `2026-03-01T14:03:22.120+01:00`. */
  time: string;
  /** IANA time zone of that local time, e.g. `Europe/Berlin`, when the runtime knows it. */
  timeZone: string | undefined;
  /** The same instant in UTC. */
  utc: string;
  requestId: string | undefined;
  model: string | undefined;
  error: {
    name: string;
    message: string;
    status: number | undefined;
    type: string | undefined;
    code: string | null | undefined;
    param: string | null | undefined;
    catalogId: string | undefined;
    retryable: boolean;
    attempts: number;
    retryStop: string | undefined;
  };
  /** The request as sent, redacted; undefined when unknown. */
  request: { method: string; url: string; headers: Record<string, string>; body: unknown } | undefined;
  /** Response headers (rate-limit state, processing time), redacted. */
  responseHeaders: Record<string, string> | undefined;
  client: { sdk: string; version: string; runtime: string };
  /** The report as plain text, ready to paste into a support message. */
  text: string;
  toString(): string;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** Local ISO 8601 with the numeric offset (toISOString only gives UTC). */
export function localIsoWithOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
  );
}

function timeZoneName(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

function runtime(): string {
  const g = globalThis as { process?: { versions?: { node?: string } }; navigator?: { userAgent?: string } };
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown';
}

function modelOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { model?: unknown }).model === 'string') return (body as { model: string }).model;
  return undefined;
}

export function buildSupportReport(e: TollgateError, ctx: SupportContext): SupportReport {
  const sent = ctx.request ?? e.request;
  const request = sent
    ? { method: sent.method, url: redactText(sent.url), headers: redactHeaders(sent.headers) ?? {}, body: redactData(sent.body) }
    : undefined;
  const report: Omit<SupportReport, 'text' | 'toString'> = {
    time: localIsoWithOffset(e.time),
    timeZone: timeZoneName(),
    utc: e.time.toISOString(),
    requestId: e.requestID,
    model: ctx.model ?? modelOf(sent?.body),
    error: {
      name: e.name,
      message: redactText(e.message),
      status: e.status,
      type: e.type,
      code: e.code,
      param: e.param,
      catalogId: e.entry?.id,
      retryable: e.retryable,
      attempts: e.attempts,
      retryStop: e.retryStop,
    },
    request,
    responseHeaders: redactHeaders(e.headers),
    client: { sdk: '@tollgate/client', version: VERSION, runtime: runtime() },
  };
  const text = renderText(report);
  return { ...report, text, toString: () => text };
}

function renderText(r: Omit<SupportReport, 'text' | 'toString'>): string {
  const na = '(not available)';
  const lines = [
    'Support report',
    `Time:        ${r.time}${r.timeZone ? ` (${r.timeZone})` : ''}  [UTC ${r.utc}]`,
    `Request ID:  ${r.requestId ?? na}`,
    `Model:       ${r.model ?? na}`,
    `Error:       ${r.error.name}${r.error.status === undefined ? '' : ` ${r.error.status}`}` +
      ` type=${r.error.type ?? 'null'} code=${r.error.code ?? 'null'} param=${r.error.param ?? 'null'}` +
      (r.error.catalogId ? ` (catalog: ${r.error.catalogId})` : ''),
    `Message:     ${r.error.message}`,
    `Attempts:    ${r.error.attempts}${r.error.retryStop ? ` (stopped: ${r.error.retryStop})` : ''}`,
    `Client:      ${r.client.sdk} ${r.client.version} on ${r.client.runtime}`,
  ];
  if (r.request) {
    lines.push(`Request:     ${r.request.method} ${r.request.url}`, 'Request headers:');
    for (const [k, v] of Object.entries(r.request.headers)) lines.push(`  ${k}: ${v}`);
    lines.push('Request body:');
    const body = r.request.body === undefined ? '  (none)' : JSON.stringify(r.request.body, null, 2).replace(/^/gm, '  ');
    lines.push(body);
  } else {
    lines.push(`Request:     ${na}`);
  }
  if (r.responseHeaders) {
    lines.push('Response headers:');
    for (const [k, v] of Object.entries(r.responseHeaders)) lines.push(`  ${k}: ${v}`);
  }
  return lines.join('\n');
}
