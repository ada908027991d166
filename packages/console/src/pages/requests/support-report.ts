/**
 * The text a person sends support about one request: what the error guide asks for (model, error
 * message and code, the request's data, the timestamp with its time zone), with nothing secret
 * in it (ids only: no key, no prompt). Plain text, English field names, so support reads it the
 * same whichever language the console shows.
 */
import { isoUtc, viewerTimeZone } from '../../lib/time';

export interface RequestRecord {
  id: string;
  created_at: number;
  project_id: string | null;
  api_key_id: string;
  user_id: string;
  requested_model: string | null;
  /** The model that answered; null when the request was refused before any model was called. */
  model: string | null;
  endpoint: string;
  status_code: number;
  /** `code` as the client got it (null where OpenAI's is null); `catalog_id`, the catalog entry (null: an upstream's own error). */
  error: { code: string | null; message: string | null; catalog_id?: string | null } | null;
  usage: { input_tokens: number; output_tokens: number; estimated: boolean };
  cost: { value: number; currency: string; exact_value: string };
  latency_ms: number;
  streamed: boolean;
  upstream_request_id: string | null;
}

export function supportReport(r: RequestRecord, organizationId: string, localTime: string): string {
  const lines: [string, string | number | null][] = [
    ['x-request-id', r.id],
    ['timestamp (UTC)', isoUtc(r.created_at)],
    [`timestamp (${viewerTimeZone()})`, localTime],
    ['organization', organizationId],
    ['project', r.project_id],
    ['api key id', r.api_key_id],
    ['endpoint', r.endpoint],
    ['model requested', r.requested_model],
    // No model for a request refused before any model was called.
    ['model served', r.model ?? (r.error ? 'none (refused before any model was called)' : null)],
    ['status', r.status_code],
    ['error code', r.error ? (r.error.code ?? 'null') : null],
    ['error catalog entry', r.error?.catalog_id ?? null],
    ['error message', r.error?.message ?? null],
    ['tokens (input / output)', `${r.usage.input_tokens} / ${r.usage.output_tokens}${r.usage.estimated ? ' (estimated)' : ''}`],
    ['cost (USD)', r.cost.exact_value],
    ['latency (ms)', r.latency_ms],
    ['streamed', String(r.streamed)],
    ['upstream request id', r.upstream_request_id],
  ];
  return lines.map(([k, v]) => `${k}: ${v ?? '—'}`).join('\n') + '\n';
}
