/**
 * The objects of the Administration API, shaped as the official SDK's types declare them
 * (`openai/resources/admin/organization/**`): an `object` field, snake_case, Unix seconds.
 * @module
 */
import type { AdminApiKeyWithOwner } from '../store/index.js';

export const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/** `organization.admin_api_key`; the create response adds `value` once. */
export function adminApiKeyObject(k: AdminApiKeyWithOwner) {
  return {
    object: 'organization.admin_api_key',
    id: k.id,
    name: k.name,
    redacted_value: k.redacted,
    created_at: seconds(k.createdAt),
    expires_at: seconds(k.expiresAt),
    last_used_at: seconds(k.lastUsedAt),
    owner: k.owner
      ? { type: 'user', object: 'organization.user', id: k.owner.id, name: k.owner.name, created_at: seconds(k.owner.createdAt), role: k.owner.role ?? 'owner' }
      : { type: 'organization' },
  };
}

export function deletedObject(object: string, id: string) {
  return { object, id, deleted: true };
}
