/**
 * What the Usage page shows of a report: each group's name (a project's, an API key's, a
 * member's or a service account's, for the id the APIs group by), a group's total and the CSV.
 * Pure functions over the report and the lists the names come from (name-directory.ts reads
 * those), so the tests run them under Node.
 */
// The .js extensions: tests load this file under Node's resolution too (usage-groups.test.ts).
import { picoToDecimal } from '../../lib/money.js';

export type Width = '1m' | '1h' | '1d';
export type GroupBy = 'none' | 'project_id' | 'model' | 'api_key_id' | 'user_id';
export type Metric = 'cost' | 'requests' | 'input_tokens' | 'output_tokens';

export interface Report {
  /** Bucket start times, Unix seconds. */
  times: number[];
  /** Group (an id, a model, `total`, or `—` for none) → one value per bucket (cost: USD as a number, for the chart). */
  series: Map<string, number[]>;
  /**
   * Cost only: group → one exact amount per bucket in pico-dollars, summed from the Costs API's
   * `exact_value`s, so totals and the CSV carry the exact figure (a number would round a tiny
   * cost, or print it as 3.3e-7).
   */
  exact?: Map<string, bigint[]>;
}

/** The group of results with no value for the field grouped by (a request without a project). */
export const NO_GROUP = '—';

/** A service account's ids: the usage reports' `user_id` of a service account's key. */
export const SERVICE_ACCOUNT_PREFIX = 'svc_acct_';

interface Named {
  id: string;
  name: string;
}

/** The lists names are read from (each as the Administration API lists it); absent when not read. */
export interface NameLists {
  projects?: readonly Named[];
  users?: readonly (Named & { email: string })[];
  keys?: readonly (Named & { project: Named })[];
  serviceAccounts?: readonly (Named & { project: Named })[];
}

/** A group's name and what tells it apart: a member's email, the project of a key or service account. */
export interface GroupName {
  name: string;
  email?: string;
  project?: string;
  serviceAccount?: boolean;
}

/** Whether groups of this kind are ids that have names. */
export const namedGroups = (by: GroupBy): by is 'project_id' | 'api_key_id' | 'user_id' => by === 'project_id' || by === 'api_key_id' || by === 'user_id';

/** The names of `ids` found in `lists`; an id no list has (a revoked key, a removed member) is left out. */
export function groupNames(by: GroupBy, ids: Iterable<string>, lists: NameLists): Map<string, GroupName> {
  const out = new Map<string, GroupName>();
  if (!namedGroups(by)) return out;
  const index = new Map<string, GroupName>();
  if (by === 'project_id') for (const p of lists.projects ?? []) index.set(p.id, { name: p.name });
  if (by === 'api_key_id') for (const k of lists.keys ?? []) index.set(k.id, { name: k.name, project: k.project.name });
  if (by === 'user_id') {
    // A member without a name is shown by email.
    for (const u of lists.users ?? []) index.set(u.id, u.name ? { name: u.name, email: u.email } : { name: u.email });
    for (const s of lists.serviceAccounts ?? []) index.set(s.id, { name: s.name, project: s.project.name, serviceAccount: true });
  }
  for (const id of ids) {
    const n = index.get(id);
    if (n) out.set(id, n);
  }
  return out;
}

/**
 * The chart legend's label of each group: its name; with its id where two groups shown have the
 * same name (two keys called "ci"); the id itself where it has no name.
 */
export function legendLabels(groups: readonly string[], names: ReadonlyMap<string, GroupName>): Map<string, string> {
  const count = new Map<string, number>();
  for (const g of groups) {
    const n = names.get(g)?.name;
    if (n !== undefined) count.set(n, (count.get(n) ?? 0) + 1);
  }
  return new Map(
    groups.map((g) => {
      const n = names.get(g)?.name;
      return [g, n === undefined ? g : count.get(n)! > 1 ? `${n} (${g})` : n];
    }),
  );
}

/** A group's total over the period: exact decimal USD for cost, else the count. */
export function totalOf(r: Report, group: string): { value: number; exact?: string } {
  const picos = r.exact?.get(group);
  if (picos) {
    const decimal = picoToDecimal(picos.reduce((a, b) => a + b, 0n));
    return { value: Number(decimal), exact: decimal };
  }
  return { value: (r.series.get(group) ?? []).reduce((a, b) => a + b, 0) };
}

/**
 * The report as CSV: one row per bucket and group, times in UTC (ISO 8601), the group as the API
 * reports it (an id, a model, `total`), the value (cost as its exact decimal USD) and last the
 * group's name (a model and the total are their own names; empty for an id with no name). The
 * name comes last so the columns before it stay where they were before names were added.
 */
export function toCsv(r: Report, metric: Metric, by: GroupBy, names: ReadonlyMap<string, GroupName>): string {
  const rows = [`bucket_start_utc,group,${metric},group_name`];
  const nameOf = (g: string) => (namedGroups(by) ? (names.get(g)?.name ?? '') : g);
  r.times.forEach((t, i) => {
    for (const [g, values] of r.series) {
      const picos = r.exact?.get(g);
      rows.push(`${new Date(t * 1000).toISOString()},${csvField(g)},${picos ? picoToDecimal(picos[i]!) : values[i]},${csvField(nameOf(g))}`);
    }
  });
  return rows.join('\n') + '\n';
}

/**
 * A CSV field: quoted where it holds a quote, comma or line break; a name that a spreadsheet
 * would run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
 */
function csvField(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
