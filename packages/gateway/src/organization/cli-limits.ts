/**
 * The limit verbs of the organization CLI (cli.ts lists them with the others):
 *
 *   tollgate projects rate-limits list|update <project_id> [<model>] [--rpm N|none] ...
 *   tollgate projects models get|set|delete <project_id> [--allow M1,M2 | --deny M1,M2]
 *   tollgate projects spend-limit get|set|delete <project_id> [--hard USD]
 *   tollgate spend-limit get|set|delete [--hard USD]      (the organization's own, at most the approved hard limit)
 * @module
 */
import { UsageError, valueFlag } from '../cli/args.js';
import type { Args, VerbSpec } from '../cli/command.js';
import { limitBody, limitFlags, LIMITS } from '../cli/admin/limit-options.js';
import { ApiFailure, errorOf } from '../cli/admin/client.js';
import { money } from '../billing/cli.js';
import { PICO_PER_CENT } from '../billing/pricing.js';
import { deleteVerb, getVerb, inProject, rows, send, verb, type Column, type Resource } from './cli-verbs.js';

const RATE_LIMITS = inProject('rate-limits', 'rate limit', 'rate_limits', undefined, [['MODEL', (l) => l.model], ...LIMITS.map(([, h, f]): Column => [h, (l) => l[f] ?? 'unlimited'])]);
const MODELS = inProject('models', 'model permissions', 'model_permissions', undefined);
const PROJECT_SPEND = inProject('spend-limit', 'spend limit', 'spend_limit', undefined);
const ORG_SPEND: Resource = { resource: 'spend-limit', noun: 'spend limit', scope: [], path: () => '/spend_limit', columns: [] };

/** `--hard 12.50` (USD, whole cents) as OpenAI's `threshold_amount` in cents. */
function cents(a: Args): number {
  const v = a.str('hard')!.replace(/^\$/, '');
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(v);
  const c = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : 0;
  if (c < 1) throw new UsageError(`--hard: expected a USD amount of at least 0.01, in whole cents (12.50), got ${JSON.stringify(a.str('hard'))}`);
  return c;
}

/**
 * The API counts `threshold_amount` in cents, `--hard` in dollars: a refusal of an amount above
 * the most allowed (the approved hard limit) says so in dollars first, so `--hard 500` is not
 * answered only with "Expected a value <= 10000, but got 50000".
 */
function inDollars(e: unknown, a: Args): unknown {
  if (!(e instanceof ApiFailure)) return e;
  const err = errorOf(e.body);
  const max = typeof err?.message === 'string' ? /<= (\d+)/.exec(err.message)?.[1] : undefined;
  if (err?.code !== 'integer_above_max_value' || err.param !== 'threshold_amount' || max === undefined) return e;
  const usd = (c: number) => `$${money(BigInt(c) * PICO_PER_CENT)}`;
  return new ApiFailure(e.status, e.body, `--hard ${usd(cents(a))} is above the most allowed, ${usd(Number(max))} a month (threshold_amount is in cents)`);
}

/**
 * `spend-limit get`: the limit, or, when none is set, a plain line saying so and how to set one
 * (exit 0; `--json` prints null). The API answers "none" with OpenAI's 404, whose "No such spend
 * limit" reads as a fault; any other 404 (an unknown project) stays an error.
 */
function spendLimitGet(r: Resource, whose: string, noneSet: (a: Args) => string): VerbSpec {
  const get = getVerb(r, `show ${whose} monthly spend limit, or that none is set`);
  const none = (e: unknown) => e instanceof ApiFailure && e.status === 404 && /^No such spend limit\b/.test(String(errorOf(e.body)?.message));
  return {
    ...get,
    run: (api, a, io) =>
      get.run(api, a, io).catch((e: unknown) => {
        if (!none(e)) throw e;
        return { json: null, human: `${noneSet(a)}\n` };
      }),
  };
}

/** get, set and delete of a monthly spend limit, the organization's or a project's (`bound`: what limits the amount). */
const spendLimitVerbs = (r: Resource, whose: string, noneSet: (a: Args) => string, bound = ''): VerbSpec[] => [
  spendLimitGet(r, whose, noneSet),
  verb(r, 'set', `set ${whose} monthly spend limit${bound}: requests are refused once spend reaches it`, {
    flags: { hard: valueFlag('USD', 'the limit in USD a month, in whole cents (12.50)', true) },
    run: (api, a) => send(api, 'POST', r.path(a), { threshold_amount: cents(a), currency: 'USD', interval: 'month' }).catch((e: unknown) => Promise.reject(inDollars(e, a))),
  }),
  deleteVerb(r, 'delete', `remove ${whose} monthly spend limit`),
];

export const SPEND_LIMIT_COMMANDS: readonly VerbSpec[] = spendLimitVerbs(
  ORG_SPEND,
  "the organization's",
  () => 'No spend limit is set for the organization (requests stop only at the hard limit the operator approved, if any).\nSet one with: tollgate spend-limit set --hard USD',
  ', at most the hard limit the operator approved',
);

export const PROJECT_LIMIT_COMMANDS: readonly VerbSpec[] = [
  verb(RATE_LIMITS, 'list', "a project's rate limits per model (the organization's where the project sets none)", {
    run: async (api, a) => {
      const r = await api.all(RATE_LIMITS.path(a));
      return { json: r, human: rows(RATE_LIMITS)(r.data) };
    },
  }),
  verb(RATE_LIMITS, 'update', "lower a project's limits for a model (each at most the organization's; none: back to the organization's); limits not given stay", {
    args: ['model'],
    flags: limitFlags("a whole number, at most the organization's; none removes the project's own value, so the organization's applies", 'N|none'),
    run: async (api, a) => {
      const body = limitBody(a, 'nothing to set: give --rpm, --tpm, --rpd and/or --tpd (none removes the project\'s own value)', 'inherit');
      const r = await api.request('POST', `${RATE_LIMITS.path(a)}/rl-${a.path('model')}`, body);
      return { json: r, human: rows(RATE_LIMITS)([r]) };
    },
  }),

  getVerb(MODELS, "show which models a project may use (a deny list, empty: every model the organization may use)"),
  verb(MODELS, 'set', 'let a project use only the models given (--allow) or every model but them (--deny)', {
    flags: { allow: valueFlag('M1,M2', 'only these models'), deny: valueFlag('M1,M2', 'every model but these') },
    run: (api, a) => {
      const [allow, deny] = [a.list('allow'), a.list('deny')];
      if ((allow === undefined) === (deny === undefined)) throw new UsageError('give --allow or --deny (one of them)');
      return send(api, 'POST', MODELS.path(a), allow ? { mode: 'allow_list', model_ids: allow } : { mode: 'deny_list', model_ids: deny });
    },
  }),
  deleteVerb(MODELS, 'delete', "drop a project's model permissions (every model the organization may use)"),

  ...spendLimitVerbs(
    PROJECT_SPEND,
    "a project's",
    (a) => `No spend limit is set for project ${a.arg('project_id')} (the organization's applies).\nSet one with: tollgate projects spend-limit set ${a.arg('project_id')} --hard USD`,
  ),
];
