/**
 * Environment variables, and command-line options of `tollgate serve`, that override a key of
 * tollgate.yaml. Their values go into the document before it is validated, so they meet the same
 * checks as the file, and a wrong one is named by the variable or the option the user set
 * ("TOLLGATE_PORT: expected an integer >= 0 and <= 65535, got "eighty"", "--port: …").
 * @module
 */
import { pathName } from './validate.js';

export type Env = Readonly<Record<string, string | undefined>>;

interface Override {
  name: string;
  path: readonly string[];
  /** The value put at `path`; undefined leaves the key out (its default applies). */
  value?: (raw: string) => unknown;
}

const numeric = (raw: string): unknown => (raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw);

const OVERRIDES: readonly Override[] = [
  { name: 'TOLLGATE_HOST', path: ['server', 'host'] },
  { name: 'TOLLGATE_PORT', path: ['server', 'port'], value: numeric },
  { name: 'TOLLGATE_PUBLIC_URL', path: ['server', 'public_url'] },
  { name: 'TOLLGATE_DATABASE_URL', path: ['database', 'url'] },
  // Empty: no single Redis server (what the file says is overridden too).
  { name: 'TOLLGATE_REDIS_URL', path: ['redis', 'url'], value: (raw) => raw || undefined },
  { name: 'TOLLGATE_REDIS_CLUSTER_NODES', path: ['redis', 'cluster_nodes'], value: (raw) => raw.split(',').map((n) => n.trim()).filter(Boolean) },
  { name: 'TOLLGATE_REDIS_PREFIX', path: ['redis', 'key_prefix'] },
  { name: 'TOLLGATE_USAGE_JOURNAL', path: ['usage', 'journal_path'] },
  { name: 'TOLLGATE_LOG_LEVEL', path: ['logging', 'level'] },
  // Empty: no e-mail (what the file says is overridden too).
  { name: 'TOLLGATE_SMTP_URL', path: ['smtp', 'url'], value: (raw) => raw || null },
  { name: 'TOLLGATE_SMTP_FROM', path: ['smtp', 'from'] },
];

/**
 * The options of `tollgate serve` that set a key of the config, by name without the dashes. They
 * win over the file and the environment, and a wrong value is named by the option, never by the
 * variable of the same key: the user typed the option.
 */
export const CONFIG_FLAGS = ['host', 'port'] as const;
export type ConfigFlags = Readonly<Partial<Record<(typeof CONFIG_FLAGS)[number], string | undefined>>>;

const FLAG_OVERRIDES: Readonly<Record<(typeof CONFIG_FLAGS)[number], Override>> = {
  host: { name: '--host', path: ['server', 'host'] },
  port: { name: '--port', path: ['server', 'port'], value: numeric },
};

type Obj = Record<string, unknown>;
const isMapping = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The document with the environment's overrides in place, then the options' (a copy), and a path
 * namer that names the variable or the option for a value that came from one. An empty
 * TOLLGATE_SECRET_FILE is ignored.
 */
export function applyEnv(doc: unknown, env: Env, flags: ConfigFlags = {}): { doc: unknown; name: (path: readonly PropertyKey[]) => string } {
  const out: unknown = structuredClone(doc ?? {});
  const applied: Override[] = [];
  const overrides = env.TOLLGATE_SECRET_FILE ? [...OVERRIDES, { name: 'TOLLGATE_SECRET_FILE', path: ['secret_file'] }] : OVERRIDES;
  const given: [Override, string | undefined][] = [...overrides.map((o): [Override, string | undefined] => [o, env[o.name]]), ...CONFIG_FLAGS.map((f): [Override, string | undefined] => [FLAG_OVERRIDES[f], flags[f]])];
  for (const [o, raw] of given) {
    if (raw === undefined || !isMapping(out)) continue;
    // A section that is not a mapping is left alone: its own error is reported.
    const parent = o.path.slice(0, -1).reduce<Obj | undefined>((p, k) => (p && isMapping((p[k] ??= {})) ? (p[k] as Obj) : undefined), out);
    if (!parent) continue;
    const key = o.path.at(-1)!;
    const v = o.value ? o.value(raw) : raw;
    if (v === undefined) delete parent[key];
    else parent[key] = v;
    applied.push(o);
  }
  // Override values are leaves or lists of strings, so what follows their path is a list index.
  // The last one applied to a key set its value (an option after the variable of the same key).
  const name = (path: readonly PropertyKey[]): string => {
    const o = applied.findLast((a) => a.path.every((k, i) => path[i] === k));
    return o ? o.name + path.slice(o.path.length).map((k) => `[${String(k)}]`).join('') : pathName(path);
  };
  return { doc: out, name };
}
