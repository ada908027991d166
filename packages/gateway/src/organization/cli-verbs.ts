/**
 * How the organization verbs (cli.ts, cli-limits.ts) are made: one description per kind of
 * object (`Resource`: its words, path, id and list columns), from which the list, get and delete
 * verbs follow; a verb's own code is only what differs. Every verb calls `/v1/organization` with
 * the organization admin key (cli/admin/apis.ts).
 * @module
 */
import type { FlagSpec } from '../cli/args.js';
import type { Args, Output, VerbSpec } from '../cli/command.js';
import type { AdminClient } from '../cli/admin/client.js';
import { objectFields, table } from '../cli/admin/format.js';
import { list, PAGING } from '../cli/admin/list.js';

export type Obj = Record<string, any>;
export type Column = readonly [header: string, value: (o: Obj) => unknown];

/** One kind of object: where it lives, how it is named, what its list shows. */
export interface Resource {
  /** The words before the verb: `projects users` is resource `projects`, group `users`. */
  resource: string;
  group?: string;
  /** As the summaries name it: `project user`. */
  noun: string;
  /** Positional arguments naming the collection (`project_id`), before the object's own id. */
  scope: string[];
  /** Options naming the collection (`--project`). */
  scopeFlags?: Record<string, FlagSpec>;
  /** The collection's path, relative to /v1/organization (a one-of-a-kind object's own path). */
  path(a: Args): string;
  /** The positional argument naming one object; none for a one-of-a-kind object (a spend limit). */
  id?: string;
  columns: readonly Column[];
}

const cellOf = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

/** The human table of `r`'s objects. */
export const rows = (r: Resource) => (data: Obj[]) => table(r.columns.map(([h]) => h), data.map((o) => r.columns.map(([, f]) => cellOf(f(o)))));

/** The path of the object the arguments name. */
export const objectPath = (r: Resource, a: Args) => (r.id ? `${r.path(a)}/${a.path(r.id)}` : r.path(a));

/** `r` inside a project: `projects <group> <verb> <project_id> ...`, at /projects/{project_id}/<path>. */
export const inProject = (group: string, noun: string, path: string, id: string | undefined, columns: readonly Column[] = []): Resource => ({
  resource: 'projects',
  group,
  noun,
  scope: ['project_id'],
  path: (a) => `/projects/${a.path('project_id')}/${path}`,
  ...(id ? { id } : {}),
  columns,
});

/** A verb of `r`: its words, arguments (the scope's first) and options, on /v1/organization. */
export function verb(r: Resource, name: string, summary: string, spec: Pick<VerbSpec, 'run'> & Partial<Pick<VerbSpec, 'args' | 'flags' | 'details'>>): VerbSpec {
  return { api: 'organization', resource: r.resource, verb: r.group ? `${r.group} ${name}` : name, summary, ...spec, args: [...r.scope, ...(spec.args ?? [])], flags: { ...r.scopeFlags, ...spec.flags } };
}

/** `method` on `path` with `body`; prints every field of the answer (`omit` left out). */
export async function send(api: AdminClient, method: string, path: string, body?: Obj, omit: string[] = []): Promise<Output & { json: Obj }> {
  const o = await api.request(method, path, body);
  return { json: o, human: objectFields(o, omit) };
}

/** `list`, with the paging options, `flags` and the query they make. */
export const listVerb = (r: Resource, summary: string, flags: Record<string, FlagSpec> = {}, query: (a: Args) => string = () => '') =>
  verb(r, 'list', summary, { flags: { ...PAGING, ...flags }, run: (api, a) => list(api, a, r.path(a), rows(r), query(a)) });

const ownId = (r: Resource) => (r.id ? [r.id] : []);

/** `get`: every field of the object. */
export const getVerb = (r: Resource, summary = `show one ${r.noun}`) => verb(r, 'get', summary, { args: ownId(r), run: (api, a) => send(api, 'GET', objectPath(r, a)) });

/** `delete` (or `remove`): `deleted <id>`. */
export const deleteVerb = (r: Resource, name: string, summary: string) =>
  verb(r, name, summary, {
    args: ownId(r),
    run: async (api, a) => {
      const d = await api.request('DELETE', objectPath(r, a));
      return { json: d, human: `${name === 'remove' ? 'removed' : 'deleted'} ${d.id ?? `the ${r.noun}`}\n` };
    },
  });
