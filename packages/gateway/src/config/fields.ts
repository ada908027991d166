/**
 * Schema builders for tollgate.yaml. Each gives a zod schema whose error says what the key
 * expects and what it got ("expected an integer >= 1, got -1"; "required" when a key without a
 * default is missing). A key that is null (`key:` with nothing after it in YAML) counts as left
 * out, so its default applies; mappings refuse keys they do not declare.
 * @module
 */
import { z } from 'zod';
import { redactIfUrl } from './redact-url.js';

/**
 * A wrong value as a message quotes it. A URL is quoted without its user and password
 * (redact-url.ts): `database.url: …, got "postgresx://***@db/x"`, never the password.
 */
export const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(redactIfUrl(v)) : v === undefined ? 'nothing' : (JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? redactIfUrl(x) : x)) ?? String(v));

/** The error of a value that does not fit: `expected <what>, got <value>`, or `required`. */
export const expected =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined ? 'required' : `expected ${what}, got ${show(iss.input)}`;

type Obj = Record<string, unknown>;
const isMapping = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops the keys whose value is null: they take their default, as if left out. */
const withoutNulls = (v: unknown): unknown => (isMapping(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)) : v);

/** A mapping with exactly these keys (a list item, or a section that is null when left out). */
export function mapping<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(withoutNulls, z.strictObject(shape, { error: expected('a mapping') }));
}

/** A section: a mapping whose keys all take their defaults when it is left out. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess((v) => withoutNulls(v ?? {}), z.strictObject(shape, { error: expected('a mapping') }));
}

/**
 * A mapping from names the user chooses to values of one schema, `{}` when left out. A null
 * value takes the value schema's default (`nullDrops`: the entry is dropped instead).
 */
export function record<V extends z.ZodType>(value: V, opts: { nullDrops?: boolean } = {}) {
  const prepare = (v: unknown): unknown => {
    if (v === undefined) return {};
    if (!isMapping(v)) return v;
    if (opts.nullDrops) return withoutNulls(v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? undefined]));
  };
  return z.preprocess(prepare, z.record(z.string(), value, { error: expected('a mapping') }));
}

/** A list of items, `[]` when left out. */
export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expected('a list') }).default([]);

/** A list of strings (checked as a whole: one message for the list). */
export const strings = () => z.custom<string[]>((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), { error: expected('a list of strings') });

export const text = () => {
  const error = expected('a non-empty string');
  return z.string({ error }).min(1, { error, abort: true });
};

/** A string that must match `pattern`; `what` says in words what it must be. */
export const matching = (pattern: RegExp, what: string) => text().regex(pattern, { error: expected(what), abort: true });

export const httpUrl = () => matching(/^https?:\/\//, 'an http(s) URL');

export const flag = () => z.boolean({ error: expected('true or false') });

export const oneOf = <const T extends readonly z.core.util.Literal[]>(values: T) =>
  z.literal(values, { error: expected(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`) });

interface Range {
  min?: number;
  max?: number;
}

function numeric(kind: 'an integer' | 'a number', r: Range) {
  const range = [r.min !== undefined ? `>= ${r.min}` : '', r.max !== undefined ? `<= ${r.max}` : ''].filter(Boolean).join(' and ');
  const error = expected(range ? `${kind} ${range}` : kind);
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
