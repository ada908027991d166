/**
 * Schema builders for tollgate.yaml. Each gives a zod schema whose error says what the key
 * expects and what it got ("expected an integer >= 1, got -1"; "required" when a key without a
 * default is missing). A key that is null (`key:` with nothing after it in YAML) counts as left
 * out, so its default applies; mappings refuse keys they do not declare.
 * @module
 */
import { z } from 'zod';
import { TIMER_MAX_MS } from '@tollgate/protocol';
import { redactText, webhookLabel } from './redact-url.js';

type Obj = Record<string, unknown>;
const isMapping = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a message quotes a wrong value: `show`, `showType` or `showWebhook`. */
export type Shown = (v: unknown) => string;

/** What a value is, in words: `a string`, `a number`, `a list`, ... (`nothing` when left out). */
export const showType: Shown = (v) =>
  v === undefined ? 'nothing' : v === null ? 'null' : v === '' ? 'an empty string' : Array.isArray(v) ? 'a list' : isMapping(v) ? 'a mapping' : `a ${typeof v}`;

/**
 * A wrong value as a message quotes it. A string is quoted with what could be a credential
 * masked, URL-looking or not (redactText: `database.url: …, got "postgres//***@db/x"`); a list of
 * scalars item by item; a mapping or a list holding one is only named (`a mapping`), since it may
 * hold a secret anywhere (a deployment's headers, under a misplaced key).
 */
export const show: Shown = (v) => {
  if (typeof v === 'string') return JSON.stringify(redactText(v));
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== 'object') ? `[${v.map(show).join(',')}]` : showType(v);
  if (v === undefined || isMapping(v)) return showType(v);
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
};

/**
 * A wrong webhook URL: its origin only (webhookLabel), since a webhook's path is often its
 * token; `***` when it is not a URL. A number or a flag as `show` quotes it, anything else named.
 */
export const showWebhook: Shown = (v) => (typeof v === 'string' && v !== '' ? JSON.stringify(webhookLabel(v)) : typeof v === 'number' || typeof v === 'boolean' ? show(v) : showType(v));

/**
 * The error of a value that does not fit: `expected <what>, got <value>` (the value as `shown`
 * quotes it), or `required`.
 */
export const expected =
  (what: string, shown: Shown = show) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined ? 'required' : `expected ${what}, got ${shown(iss.input)}`;

/**
 * Drops the keys of `shape` whose value is null: they take their default, as if left out. A key
 * the shape does not know stays, null or not, so that a misspelt one (`prot:` with nothing after
 * it) is still reported as unknown instead of vanishing.
 */
const withoutNulls =
  (shape: z.ZodRawShape) =>
  (v: unknown): unknown =>
    isMapping(v) ? Object.fromEntries(Object.entries(v).filter(([k, x]) => x !== null || !Object.hasOwn(shape, k))) : v;

/** A mapping with exactly these keys (a list item, or a section that is null when left out). */
export function mapping<S extends z.ZodRawShape>(shape: S) {
  const drop = withoutNulls(shape);
  return z.preprocess(drop, z.strictObject(shape, { error: expected('a mapping', showType) }));
}

/** A section: a mapping whose keys all take their defaults when it is left out. */
export function section<S extends z.ZodRawShape>(shape: S) {
  const drop = withoutNulls(shape);
  return z.preprocess((v) => drop(v ?? {}), z.strictObject(shape, { error: expected('a mapping', showType) }));
}

/**
 * A mapping from names the user chooses to values of one schema, `{}` when left out. A null
 * value takes the value schema's default (`nullDrops`: the entry is dropped instead). `shown`
 * quotes it when it is not a mapping.
 */
export function record<V extends z.ZodType>(value: V, opts: { nullDrops?: boolean; shown?: Shown } = {}) {
  const prepare = (v: unknown): unknown => {
    if (v === undefined) return {};
    if (!isMapping(v)) return v;
    if (opts.nullDrops) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? undefined]));
  };
  return z.preprocess(prepare, z.record(z.string(), value, { error: expected('a mapping', opts.shown ?? showType) }));
}

/**
 * A list of items, `[]` when left out. Where a mapping or a list belongs, a wrong value is named by
 * its type only: a string there is most often an item written in the wrong place (a webhook URL,
 * a token), and may be a secret.
 */
export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expected('a list', showType) }).default([]);

/** A list of strings (checked as a whole: one message for the list). */
export const strings = () => z.custom<string[]>((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), { error: expected('a list of strings') });

/** A non-empty string; `shown` quotes a wrong value. */
export const text = (shown: Shown = show) => {
  const error = expected('a non-empty string', shown);
  return z.string({ error }).min(1, { error, abort: true });
};

/**
 * A string whose value is itself a secret (a deployment's header may be `Authorization: Bearer
 * …` or an API key): a wrong value is named by its type only (`got a number`), never quoted.
 */
export const secretText = () => text(showType);

/**
 * The name of the environment variable holding a secret (`api_key_env: UPSTREAM_KEY`). What is
 * not a name may be the secret itself, written where its variable's name goes: it is refused
 * without being quoted (and a check that the variable is set would otherwise quote it as a name).
 */
export const envName = () =>
  text(showType).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: 'expected the name of an environment variable (letters, digits and _; the secret itself goes in that variable), got something else (not quoted: it may be the secret)',
    abort: true,
  });

/** A string that must match `pattern`; `what` says in words what it must be. */
export const matching = (pattern: RegExp, what: string, shown: Shown = show) => text(shown).regex(pattern, { error: expected(what, shown), abort: true });

export const httpUrl = (shown: Shown = show) => matching(/^https?:\/\//, 'an http(s) URL', shown);

export const flag = () => z.boolean({ error: expected('true or false') });

export const oneOf = <const T extends readonly z.core.util.Literal[]>(values: T) =>
  z.literal(values, { error: expected(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`) });

interface Range {
  min?: number;
  max?: number;
}

function numeric(kind: 'an integer' | 'a number', r: Range, note = '') {
  const range = [r.min !== undefined ? `>= ${r.min}` : '', r.max !== undefined ? `<= ${r.max}` : ''].filter(Boolean).join(' and ');
  const error = expected((range ? `${kind} ${range}` : kind) + note);
  let s = z.number({ error });
  if (kind === 'an integer') s = s.int({ error, abort: true });
  if (r.min !== undefined) s = s.min(r.min, { error, abort: true });
  if (r.max !== undefined) s = s.max(r.max, { error, abort: true });
  return s;
}

/** A whole number in `range` (both ends included). */
export const int = (range: Range = {}) => numeric('an integer', range);

/** A finite number in `range` (both ends included). */
export const num = (range: Range = {}) => numeric('a number', range);

/**
 * A time in milliseconds that the gateway waits with a timer: at least `min`, at most
 * TIMER_MAX_MS, past which Node.js's timers fire at once (a 30-day upstream timeout would time
 * every call out after 1 ms). `kind`: a fraction of a millisecond is allowed.
 */
export const durationMs = (min: number, kind: 'an integer' | 'a number' = 'an integer') =>
  numeric(kind, { min, max: TIMER_MAX_MS }, ' (about 24.8 days, the longest a timer can wait)');
