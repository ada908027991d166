/**
 * API key scopes, named as OpenAI names them, and the endpoint → scope table.
 *
 * | endpoint                                   | scope            |
 * |--------------------------------------------|------------------|
 * | GET  /v1/models, GET /v1/models/{model}    | `api.model.read` |
 * | POST /v1/chat/completions                  | `model.request`  |
 * | POST /v1/completions                       | `model.request`  |
 * | POST /v1/embeddings                        | `model.request`  |
 * | POST /v1/responses, DELETE /v1/responses/{id} | `api.responses.write` |
 * | GET /v1/responses/{id}[/input_items]       | `api.responses.read` |
 * | any other `/v1/<resource>...`              | `api.<resource>.read` for GET/HEAD, `api.<resource>.write` otherwise |
 *
 * (`api.model.read`, `model.request` and `api.responses.write` are the names api.openai.com
 * reports in "Missing scopes: ..." for these endpoints; the Responses API's follow the derived rule.)
 *
 * Key permissions: `all` grants every scope; `read_only` grants every `*.read` scope (so only
 * GET endpoints, stored responses included); `restricted` grants the scopes listed on the key,
 * and `model.request` also grants the Responses API's two: a Responses call is a model request,
 * and keys restricted to model requests before the Responses scopes existed keep working.
 *
 * The owner's organization role does not narrow a key's scopes. As at OpenAI, a reader uses the
 * API: a reader's key makes model requests like an owner's. What a reader may not do is see or
 * change billing, costs, spend or rate limits, the audit log and the organization's settings; those
 * are the Administration API's, which an API key never reaches (it takes an admin key, and only
 * owners make those) and which the console refuses a reader's session (console/auth.ts). The role
 * decides where a user's key may act instead: the Default project and the projects the user is a
 * member of, or any project for an owner (organization/project-access.ts).
 * @module
 */
import type { KeyPermissions } from '../store/index.js';

/** The scopes a restricted key may list. Extend with the table when endpoints are added. */
export const SCOPES = ['api.model.read', 'model.request', 'api.responses.read', 'api.responses.write'] as const;
export type Scope = (typeof SCOPES)[number];

export const isKnownScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export const READ_SCOPES: readonly string[] = SCOPES.filter((s) => s.endsWith('.read'));

/** The exact table: `METHOD path` → scope. */
const TABLE = new Map<string, string>([
  ['GET /v1/models', 'api.model.read'],
  ['POST /v1/chat/completions', 'model.request'],
  ['POST /v1/completions', 'model.request'],
  ['POST /v1/embeddings', 'model.request'],
]);

/** The scope an endpoint requires. `path` is the request path without the query string. */
export function requiredScope(method: string, path: string): string {
  const m = method === 'HEAD' ? 'GET' : method;
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const exact = TABLE.get(`${m} ${p}`);
  if (exact) return exact;
  if (m === 'GET' && p.startsWith('/v1/models/')) return 'api.model.read';
  const resource = p.split('/')[2] || 'unknown';
  return `api.${resource}.${m === 'GET' ? 'read' : 'write'}`;
}

/** Shared by every key with these permissions (a set per cached key cost 150 bytes each). */
const ALL_SCOPES: ReadonlySet<string> = new Set(SCOPES);
const READ_ONLY_SCOPES: ReadonlySet<string> = new Set(READ_SCOPES);

/** The scopes a key holds in effect, from its permissions (whoever owns it). */
export function effectiveScopes(permissions: KeyPermissions, keyScopes: readonly string[]): ReadonlySet<string> {
  if (permissions === 'all') return ALL_SCOPES;
  if (permissions !== 'restricted') return READ_ONLY_SCOPES;
  return new Set(keyScopes);
}

/** The Responses API's scopes, which a key restricted to `model.request` holds too. */
const RESPONSES_SCOPES: ReadonlySet<string> = new Set(['api.responses.read', 'api.responses.write']);

/** Whether a caller holds `scope`. Also decides derived scopes that SCOPES does not list. */
export function grants(p: { permissions: KeyPermissions; scopes: ReadonlySet<string> }, scope: string): boolean {
  if (p.permissions === 'all') return true;
  if (p.permissions !== 'restricted' && scope.endsWith('.read')) return true;
  return p.scopes.has(scope) || (RESPONSES_SCOPES.has(scope) && p.scopes.has('model.request'));
}
