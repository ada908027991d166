/**
 * The money commands of the `tollgate` CLI. They call a running gateway's admin API at
 * TOLLGATE_URL with TOLLGATE_ADMIN_KEY, like the other admin verbs.
 *
 *   tollgate usage <org_id> [--month YYYY-MM] [--json]
 *   tollgate billing get <org_id> [--json]
 *   tollgate billing set <org_id> [--hard USD|none] [--soft USD|none] [--json]
 *   tollgate quota-requests list [--status pending|approved|rejected] [--org ORG_ID] [--json]
 *   tollgate quota-requests create <org_id> --hard USD --reason TEXT
 *   tollgate quota-requests approve <id> [--note TEXT]
 *   tollgate quota-requests reject <id> --note TEXT
 * @module
 */
import { gatewayRoot, gatewayUrlFromEnv } from '@tollgate/client';
import { flagString, parseCommand, type FlagSpec, type Parsed as ParsedArgs } from '../cli/args.js';
import type { BillingJson, QuotaRequestJson } from './admin-json.js';
import { parsePeriod, periodOf } from './period.js';
import { formatUsd, picoToUsd, usdToPico } from './pricing.js';
import type { CliIo } from '../cli/io.js';
import type { CostsResult, UsagePage, UsageCompletionsResult } from '../usage/reports.js';

/** The verbs here always call the gateway, so `fetch` is required. */
export type UsageCliIo = CliIo & { fetch: typeof fetch };

/** The commands `runUsageCli` handles (argv[0]). */
export const USAGE_CLI_COMMANDS = ['usage', 'billing', 'quota-requests'] as const;

const HELP: Record<(typeof USAGE_CLI_COMMANDS)[number], string> = {
  usage: `Usage: tollgate usage <org_id> [--month YYYY-MM] [--json]
Prints an organization's usage and cost for a month (default: this month, UTC) by model and API key.
`,
  billing: `Usage: tollgate billing get <org_id> [--json]
       tollgate billing set <org_id> [--hard USD|none] [--soft USD|none] [--json]
Shows or sets the monthly hard limit (requests are refused above it) and soft limit (a webhook fires
when spend reaches it). 'none' removes a limit.
`,
  'quota-requests': `Usage: tollgate quota-requests list [--status pending|approved|rejected] [--org ORG_ID] [--json]
       tollgate quota-requests create <org_id> --hard USD --reason TEXT
       tollgate quota-requests approve <id> [--note TEXT]
       tollgate quota-requests reject <id> --note TEXT
`,
};

class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const value = (placeholder: string, help: string): FlagSpec => ({ value: true, placeholder, help });
/** The options of `usage`, `billing` and `quota-requests`; anything else is a usage error. */
const FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'print the API response as JSON (for scripts)' },
  month: value('YYYY-MM', 'the month to report (default: this month, UTC)'),
  hard: value('USD', "monthly hard limit in USD, or 'none'"),
  soft: value('USD', "monthly soft limit in USD, or 'none'"),
  status: value('STATUS', 'pending, approved or rejected'),
  org: value('ORG_ID', 'the organization'),
  reason: value('TEXT', 'why the increase is needed'),
  note: value('TEXT', "the operator's note"),
};

/** Runs `argv` = [command, ...args]; resolves to the exit code. */
export async function runUsageCli(argv: readonly string[], io: UsageCliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!USAGE_CLI_COMMANDS.includes(command as (typeof USAGE_CLI_COMMANDS)[number])) {
    io.stderr(`tollgate: unknown command '${command ?? ''}'\n`);
    return 2;
  }
  const cmd = command as (typeof USAGE_CLI_COMMANDS)[number];
  const args = parseCommand(rest, FLAGS, HELP[cmd], { stdout: io.stdout, stderr: io.stderr, env: io.env });
  if (!args) return 2;
  if (args.flags.has('help')) {
    io.stdout(HELP[cmd]);
    return 0;
  }
  try {
    if (cmd === 'usage') return await usageCommand(args, io);
    if (cmd === 'billing') return await billingCommand(args, io);
    return await quotaRequestsCommand(args, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`tollgate ${cmd}: ${e.message}\n`);
      if (e.code === 2) io.stderr(HELP[cmd]);
      return e.code;
    }
    throw e;
  }
}

async function usageCommand(args: ParsedArgs, io: UsageCliIo): Promise<number> {
  const orgId = onePositional(args, 'org_id');
  const monthText = flagString(args, 'month');
  const period = monthText === undefined ? periodOf((io.now ?? Date.now)()) : parsePeriod(monthText);
  if (!period) throw new CliError(`--month must be YYYY-MM, got ${JSON.stringify(monthText)}`, 2);
  const base = `/admin/v1/organizations/${encodeURIComponent(orgId)}`;
  const range = `start_time=${period.startMs / 1000}&end_time=${period.endMs / 1000}&bucket_width=1d&limit=31`;
  const usage = await allPages<UsageCompletionsResult>(io, `${base}/usage/completions?${range}&group_by=model,api_key_id`);
  const costs = await allPages<CostsResult>(io, `${base}/costs?${range}&group_by=line_item,api_key_id`);

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

  if (args.flags.has('json')) {
    // cost_usd is the number nearest the amount; cost_usd_exact the exact decimal.
    const out = {
      organization_id: orgId,
      month: period.key,
      rows: list.map(({ cost_pico, ...r }) => ({ ...r, cost_usd: picoToUsd(cost_pico), cost_usd_exact: formatUsd(cost_pico) })),
      total: { requests: total.requests, input_tokens: total.input_tokens, output_tokens: total.output_tokens, cost_usd: picoToUsd(total.cost_pico), cost_usd_exact: formatUsd(total.cost_pico) },
    };
    io.stdout(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  io.stdout(`Usage of ${orgId} in ${period.key} (UTC)\n\n`);
  const table = [
    ['MODEL', 'API KEY', 'REQUESTS', 'INPUT TOKENS', 'OUTPUT TOKENS', 'COST (USD)'],
    ...list.map((r) => [r.model, r.api_key_id, String(r.requests), String(r.input_tokens), String(r.output_tokens), money(r.cost_pico)]),
    ['TOTAL', '', String(total.requests), String(total.input_tokens), String(total.output_tokens), money(total.cost_pico)],
  ];
  io.stdout(formatTable(table, [false, false, true, true, true, true]));
  return 0;
}

interface UsageRow {
  model: string;
  api_key_id: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_pico: bigint;
}

async function billingCommand(args: ParsedArgs, io: UsageCliIo): Promise<number> {
  const [verb, orgId, ...extra] = args.positionals;
  if ((verb !== 'get' && verb !== 'set') || orgId === undefined || extra.length > 0) throw new CliError('expected get|set <org_id>', 2);
  const path = `/admin/v1/organizations/${encodeURIComponent(orgId)}/billing`;
  let view: BillingJson;
  if (verb === 'get') view = await call<BillingJson>(io, 'GET', path);
  else {
    const body: Record<string, number | null> = {};
    const hard = usdFlag(args, 'hard');
    const soft = usdFlag(args, 'soft');
    if (hard !== undefined) body.hard_limit_usd = hard;
    if (soft !== undefined) body.soft_limit_usd = soft;
    if (Object.keys(body).length === 0) throw new CliError('set needs --hard and/or --soft', 2);
    view = await call<BillingJson>(io, 'PUT', path, body);
  }
  if (args.flags.has('json')) io.stdout(JSON.stringify(view, null, 2) + '\n');
  else io.stdout(formatBilling(view));
  return 0;
}

async function quotaRequestsCommand(args: ParsedArgs, io: UsageCliIo): Promise<number> {
  const [verb, target, ...extra] = args.positionals;
  if (extra.length > 0) throw new CliError(`unexpected argument '${extra[0]}'`, 2);
  let result: QuotaRequestJson;
  switch (verb) {
    case 'list': {
      const q = new URLSearchParams({ limit: '100' });
      const status = flagString(args, 'status');
      const org = flagString(args, 'org');
      if (status) q.set('status', status);
      if (org) q.set('organization_id', org);
      const list = await call<{ data: QuotaRequestJson[]; has_more: boolean }>(io, 'GET', `/admin/v1/quota_requests?${q}`);
      if (args.flags.has('json')) io.stdout(JSON.stringify(list, null, 2) + '\n');
      else io.stdout(formatQuotaRequests(list.data) + (list.has_more ? '(more: narrow with --status or --org)\n' : ''));
      return 0;
    }
    case 'create': {
      if (target === undefined) throw new CliError('create needs <org_id>', 2);
      const hard = usdFlag(args, 'hard');
      const reason = flagString(args, 'reason');
      if (hard === undefined || hard === null || reason === undefined) throw new CliError('create needs --hard USD and --reason TEXT', 2);
      result = await call<QuotaRequestJson>(io, 'POST', `/admin/v1/organizations/${encodeURIComponent(target)}/quota_requests`, { hard_limit_usd: hard, reason });
      break;
    }
    case 'approve':
    case 'reject': {
      if (target === undefined) throw new CliError(`${verb} needs <id>`, 2);
      const note = flagString(args, 'note');
      if (verb === 'reject' && note === undefined) throw new CliError('reject needs --note TEXT', 2);
      result = await call<QuotaRequestJson>(io, 'POST', `/admin/v1/quota_requests/${encodeURIComponent(target)}/${verb}`, note === undefined ? {} : { note });
      break;
    }
    default:
      throw new CliError('expected list|create|approve|reject', 2);
  }
  if (args.flags.has('json')) io.stdout(JSON.stringify(result, null, 2) + '\n');
  else io.stdout(formatQuotaRequests([result]));
  return 0;
}

/** Fetches every page of a report by following `next_page`. */
async function allPages<R>(io: UsageCliIo, path: string): Promise<R[]> {
  const out: R[] = [];
  let next: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: UsagePage<R> = await call<UsagePage<R>>(io, 'GET', next === null ? path : `${path}&page=${encodeURIComponent(next)}`);
    for (const b of page.data) out.push(...b.results);
    if (!page.has_more || page.next_page === null) return out;
    next = page.next_page;
  }
  throw new CliError('the report did not end after 100 pages', 1);
}

async function call<T>(io: UsageCliIo, method: string, path: string, body?: unknown): Promise<T> {
  const key = io.env.TOLLGATE_ADMIN_KEY;
  if (!key) throw new CliError('TOLLGATE_ADMIN_KEY is not set', 2);
  const base = gatewayRoot(gatewayUrlFromEnv(io.env) ?? 'http://127.0.0.1:8080');
  let res: Response;
  try {
    res = await io.fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${method} ${path}: HTTP ${res.status}, not JSON`, 1);
  }
  if (!res.ok) {
    const msg = (json as { error?: { message?: unknown } }).error?.message;
    throw new CliError(`HTTP ${res.status}: ${typeof msg === 'string' ? msg : text.slice(0, 300)}`, 1);
  }
  return json as T;
}

function onePositional(args: ParsedArgs, name: string): string {
  if (args.positionals.length !== 1) throw new CliError(`expected <${name}>`, 2);
  return args.positionals[0]!;
}

/** `--name 12.5` → 12.5; `--name none` → null (no limit); absent → undefined. */
function usdFlag(args: ParsedArgs, name: string): number | null | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v === 'none' || v === 'unlimited') return null;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.replace(/^\$/, '')) ? Number(v.replace(/^\$/, '')) : NaN;
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a USD amount or 'none', got ${JSON.stringify(v === true ? '' : v)}`, 2);
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
    `Hard limit    ${usd(v.hard_limit_usd, 'unlimited')}`,
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
