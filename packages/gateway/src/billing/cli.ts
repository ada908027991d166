/**
 * The money verbs of the `tollgate` CLI, on a running gateway's admin API like the other admin
 * verbs (the command table in cli/table.ts lists them):
 *
 *   tollgate usage <org_id> [--month YYYY-MM]
 *   tollgate billing get <org_id>
 *   tollgate billing set <org_id> [--hard USD|none] [--soft USD|none]
 *   tollgate quota-requests list [--status pending|approved|rejected] [--org ORG_ID]
 *   tollgate quota-requests create <org_id> --hard USD --reason TEXT
 *   tollgate quota-requests approve <id> [--note TEXT]
 *   tollgate quota-requests reject <id> --note TEXT
 *
 * An API error is printed with its HTTP status (`error: HTTP 404: No such organization: ...`).
 * @module
 */
import { CommandError, UsageError, valueFlag } from '../cli/args.js';
import type { AdminClient } from '../cli/admin/client.js';
import type { Args, CommandSpec, Output } from '../cli/command.js';
import { EXIT } from '../cli/exit.js';
import type { BillingJson, QuotaRequestJson } from './admin-json.js';
import { parsePeriod, periodOf } from './period.js';
import { formatUsd, picoToUsd, usdToPico } from './pricing.js';
import type { CostsResult, UsageCompletionsResult, UsagePage } from '../usage/reports.js';

const orgPath = (a: Args) => `/organizations/${a.path('org_id')}`;

async function usageReport(api: AdminClient, a: Args): Promise<Output> {
  const orgId = a.arg('org_id');
  const monthText = a.str('month');
  const period = monthText === undefined ? periodOf(a.now()) : parsePeriod(monthText);
  if (!period) throw new UsageError(`--month must be YYYY-MM, got ${JSON.stringify(monthText)}`);
  const range = `start_time=${period.startMs / 1000}&end_time=${period.endMs / 1000}&bucket_width=1d&limit=31`;
  const usage = await allPages<UsageCompletionsResult>(api, `${orgPath(a)}/usage/completions?${range}&group_by=model,api_key_id`);
  const costs = await allPages<CostsResult>(api, `${orgPath(a)}/costs?${range}&group_by=line_item,api_key_id`);

  const rows = new Map<string, UsageRow>();
  const row = (model: string | null, key: string | null): UsageRow => {
    const k = JSON.stringify([model, key]);
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { model: model ?? '', api_key_id: key ?? '', requests: 0, input_tokens: 0, output_tokens: 0, cost_pico: 0n }));
    return r;
  };
  for (const x of usage) {
    const r = row(x.model, x.api_key_id);
    r.requests += x.num_model_requests;
    r.input_tokens += x.input_tokens;
    r.output_tokens += x.output_tokens;
  }
  // Summed exactly, in pico-dollars, from the report's exact decimal (a server without it: the number).
  for (const x of costs) row(x.line_item, x.api_key_id ?? null).cost_pico += usdToPico(x.amount.exact_value ?? x.amount.value);
  const list = [...rows.values()].sort((a, b) => (a.model + '\u0000' + a.api_key_id < b.model + '\u0000' + b.api_key_id ? -1 : 1));
  const total = list.reduce(
    (t, r) => ({ requests: t.requests + r.requests, input_tokens: t.input_tokens + r.input_tokens, output_tokens: t.output_tokens + r.output_tokens, cost_pico: t.cost_pico + r.cost_pico }),
    { requests: 0, input_tokens: 0, output_tokens: 0, cost_pico: 0n },
  );

  // cost_usd is the number nearest the amount; cost_usd_exact the exact decimal.
  const json = {
    organization_id: orgId,
    month: period.key,
    rows: list.map(({ cost_pico, ...r }) => ({ ...r, cost_usd: picoToUsd(cost_pico), cost_usd_exact: formatUsd(cost_pico) })),
    total: { requests: total.requests, input_tokens: total.input_tokens, output_tokens: total.output_tokens, cost_usd: picoToUsd(total.cost_pico), cost_usd_exact: formatUsd(total.cost_pico) },
  };
  const table = [
    ['MODEL', 'API KEY', 'REQUESTS', 'INPUT TOKENS', 'OUTPUT TOKENS', 'COST (USD)'],
    ...list.map((r) => [r.model, r.api_key_id, String(r.requests), String(r.input_tokens), String(r.output_tokens), money(r.cost_pico)]),
    ['TOTAL', '', String(total.requests), String(total.input_tokens), String(total.output_tokens), money(total.cost_pico)],
  ];
  return { json, human: `Usage of ${orgId} in ${period.key} (UTC)\n\n${formatTable(table, [false, false, true, true, true, true])}` };
}

interface UsageRow {
  model: string;
  api_key_id: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_pico: bigint;
}

const billingOutput = (v: BillingJson): Output => ({ json: v, human: formatBilling(v) });
const quotaRequestOutput = (r: QuotaRequestJson): Output => ({ json: r, human: formatQuotaRequests([r]) });

export const BILLING_COMMANDS: readonly CommandSpec[] = [
  {
    resource: 'usage',
    summary: "print an organization's usage and cost for a month by model and API key",
    args: ['org_id'],
    flags: { month: valueFlag('YYYY-MM', 'the month to report (default: this month, UTC)') },
    showStatus: true,
    run: usageReport,
  },
  {
    resource: 'billing',
    verb: 'get',
    summary: "show an organization's approved monthly hard limit, its own spend limit (requests are refused above the lower), soft limit and spend",
    args: ['org_id'],
    flags: {},
    showStatus: true,
    run: async (api, a) => billingOutput(await api.request('GET', `${orgPath(a)}/billing`)),
  },
  {
    resource: 'billing',
    verb: 'set',
    summary: "set the approved monthly hard limit and/or soft limit (a webhook fires when spend reaches it); 'none' removes a limit",
    args: ['org_id'],
    flags: { hard: valueFlag('USD', "monthly hard limit in USD, or 'none'"), soft: valueFlag('USD', "monthly soft limit in USD, or 'none'") },
    showStatus: true,
    run: async (api, a) => {
      const body: Record<string, number | null> = {};
      const hard = usdFlag(a, 'hard');
      const soft = usdFlag(a, 'soft');
      if (hard !== undefined) body.hard_limit_usd = hard;
      if (soft !== undefined) body.soft_limit_usd = soft;
      if (Object.keys(body).length === 0) throw new UsageError('set needs --hard and/or --soft');
      return billingOutput(await api.request('PUT', `${orgPath(a)}/billing`, body));
    },
  },
  {
    resource: 'quota-requests',
    verb: 'list',
    summary: 'list quota requests (the 100 most recent)',
    args: [],
    flags: { status: valueFlag('STATUS', 'pending, approved or rejected'), org: valueFlag('ORG_ID', 'the organization') },
    showStatus: true,
    run: async (api, a) => {
      const q = new URLSearchParams({ limit: '100' });
      const status = a.str('status');
      const org = a.str('org');
      if (status) q.set('status', status);
      if (org) q.set('organization_id', org);
      const list: { data: QuotaRequestJson[]; has_more: boolean } = await api.request('GET', `/quota_requests?${q}`);
      return { json: list, human: formatQuotaRequests(list.data) + (list.has_more ? '(more: narrow with --status or --org)\n' : '') };
    },
  },
  {
    resource: 'quota-requests',
    verb: 'create',
    summary: "ask for a higher monthly hard limit for an organization",
    args: ['org_id'],
    flags: { hard: valueFlag('USD', 'the hard limit asked for, in USD', true), reason: valueFlag('TEXT', 'why the increase is needed', true) },
    showStatus: true,
    run: async (api, a) => {
      const hard = usdFlag(a, 'hard');
      if (hard === null || hard === undefined) throw new UsageError('create needs --hard USD and --reason TEXT');
      return quotaRequestOutput(await api.request('POST', `${orgPath(a)}/quota_requests`, { hard_limit_usd: hard, reason: a.str('reason') }));
    },
  },
  {
    resource: 'quota-requests',
    verb: 'approve',
    summary: "approve a quota request (the organization's hard limit becomes the amount asked for)",
    args: ['id'],
    flags: { note: valueFlag('TEXT', "the operator's note") },
    showStatus: true,
    run: async (api, a) => quotaRequestOutput(await api.request('POST', `/quota_requests/${a.path('id')}/approve`, noteBody(a))),
  },
  {
    resource: 'quota-requests',
    verb: 'reject',
    summary: 'reject a quota request',
    args: ['id'],
    flags: { note: valueFlag('TEXT', "the operator's note, shown to the organization", true) },
    showStatus: true,
    run: async (api, a) => quotaRequestOutput(await api.request('POST', `/quota_requests/${a.path('id')}/reject`, noteBody(a))),
  },
];

const noteBody = (a: Args) => (a.str('note') === undefined ? {} : { note: a.str('note') });

/** Fetches every page of a report by following `next_page`. */
async function allPages<R>(api: AdminClient, path: string): Promise<R[]> {
  const out: R[] = [];
  let next: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: UsagePage<R> = await api.request('GET', next === null ? path : `${path}&page=${encodeURIComponent(next)}`);
    for (const b of page.data) out.push(...b.results);
    if (!page.has_more || page.next_page === null) return out;
    next = page.next_page;
  }
  throw new CommandError('the report did not end after 100 pages', EXIT.failed);
}

/** `--name 12.5` → 12.5; `--name none` → null (no limit); absent → undefined. */
function usdFlag(a: Args, name: string): number | null | undefined {
  const v = a.str(name);
  if (v === undefined) return undefined;
  if (v === 'none' || v === 'unlimited') return null;
  const n = /^\d+(\.\d+)?$/.test(v.replace(/^\$/, '')) ? Number(v.replace(/^\$/, '')) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a USD amount or 'none', got ${JSON.stringify(v)}`);
  return n;
}

/** Pico-dollars as dollars, exact, with at least 2 decimals: 150 000 000n → 0.00015, 12 500 000 000 000n → 12.50. */
export function money(pico: bigint): string {
  return formatUsd(pico, 2);
}

function usd(v: number | null, none: string): string {
  return v === null ? none : `$${money(usdToPico(v))}`;
}

function formatBilling(v: BillingJson): string {
  const lines = [
    `Organization  ${v.organization_id}`,
    `Period        ${v.period} (UTC)`,
    `Hard limit    ${usd(v.hard_limit_usd, 'unlimited')} (approved)`,
    // Gateways before the organization's own spend limit leave these out.
    ...(v.spend_limit_usd !== undefined
      ? [`Own limit     ${usd(v.spend_limit_usd, 'none')} (the organization's)`, `Enforced      ${usd(v.enforced_hard_limit_usd, 'unlimited')} (the lower: requests are refused above it)`]
      : []),
    `Soft limit    ${usd(v.soft_limit_usd, 'none')}`,
    `Spent         ${usd(v.spent_usd, '')}`,
    `Reserved      ${usd(v.reserved_usd, '')}`,
  ];
  if (v.soft_limit_notification) lines.push(`Soft limit notification  ${v.soft_limit_notification.status} (${v.soft_limit_notification.attempts} attempts)`);
  lines.push('', v.quota_requests.length ? formatQuotaRequests(v.quota_requests).trimEnd() : 'No quota requests.');
  return lines.join('\n') + '\n';
}

function formatQuotaRequests(list: readonly QuotaRequestJson[]): string {
  if (list.length === 0) return 'No quota requests.\n';
  const time = (s: number | null) => (s === null ? '' : new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
  return formatTable(
    [
      ['ID', 'ORGANIZATION', 'STATUS', 'REQUESTED', 'CREATED', 'DECIDED', 'REASON / NOTE'],
      ...list.map((r) => [r.id, r.organization_id, r.status, usd(r.requested_hard_limit_usd, ''), time(r.created_at), time(r.decided_at), r.note ? `${r.reason} / ${r.note}` : r.reason]),
    ],
    [false, false, false, true, false, false, false],
  );
}

function formatTable(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
