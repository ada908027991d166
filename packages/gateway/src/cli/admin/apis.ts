/**
 * The two admin APIs a `tollgate` verb may call, and the key each one takes:
 *
 * - `operator`: `/admin/v1` with the operator's admin key (`TOLLGATE_ADMIN_KEY`): organizations,
 *   tiers, users, keys, billing, the status page — what only the operator may do.
 * - `organization`: `/v1/organization` (OpenAI's Administration API) with an organization admin
 *   key (`sk-admin-...`, in `TOLLGATE_ORG_ADMIN_KEY`): one organization's projects, service
 *   accounts, invites, admin keys and request lookup. The operator makes an organization's first
 *   admin key with `tollgate orgs admin-key <org_id>`.
 * @module
 */
import { ADMIN_KEY_PREFIX } from '../../organization/admin-key-format.js';

export type AdminApi = 'operator' | 'organization';

export interface ApiAccess {
  /** The path the API's paths are relative to. */
  prefix: string;
  /** The environment variable holding the key. */
  keyEnv: string;
  /** What the key is, for the help and the message when it is missing. */
  keyName: string;
  /** Why `key` cannot be this API's key (the message never shows the key), or undefined. */
  refuse(key: string): string | undefined;
}

export const API_ACCESS: Record<AdminApi, ApiAccess> = {
  operator: {
    prefix: '/admin/v1',
    keyEnv: 'TOLLGATE_ADMIN_KEY',
    keyName: 'the admin key of the gateway',
    refuse: () => undefined,
  },
  organization: {
    prefix: '/v1/organization',
    keyEnv: 'TOLLGATE_ORG_ADMIN_KEY',
    keyName: `an organization admin key (${ADMIN_KEY_PREFIX}...; \`tollgate orgs admin-key\` makes one)`,
    refuse: (key) => (key.startsWith(ADMIN_KEY_PREFIX) ? undefined : `TOLLGATE_ORG_ADMIN_KEY is not an organization admin key (${ADMIN_KEY_PREFIX}...)`),
  },
};
