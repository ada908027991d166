/**
 * The JSON objects of the admin API, shaped like OpenAI's admin API: an `object` type field,
 * snake_case names, times in Unix seconds.
 * @module
 */
import type { ResolvedLimits } from '../limits/index.js';
import type { ApiKeyRecord, LimitOverride, Member, Organization, User } from '../store/index.js';

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

export function organizationObject(o: Organization) {
  return { object: 'organization', id: o.id, name: o.name, tier: o.tier, created_at: seconds(o.createdAt) };
}

export function userObject(u: User) {
  return { object: 'user', id: u.id, email: u.email, name: u.name, created_at: seconds(u.createdAt) };
}

export function memberObject(m: Member) {
  return { object: 'organization.user', id: m.userId, organization_id: m.orgId, email: m.email, name: m.name, role: m.role, added_at: seconds(m.createdAt) };
}

/** A key as lists show it: the redacted form only. `key` is added once, in the create response. */
export function keyObject(k: ApiKeyRecord) {
  return {
    object: 'organization.api_key',
    id: k.id,
    name: k.name,
    redacted_value: k.redacted,
    organization_id: k.orgId,
    project_id: k.projectId,
    user_id: k.userId,
    permissions: k.permissions,
    scopes: k.permissions === 'restricted' ? k.scopes : [],
    status: k.status,
    created_at: seconds(k.createdAt),
    expires_at: seconds(k.expiresAt),
    last_used_at: seconds(k.lastUsedAt),
    revoked_at: seconds(k.revokedAt),
  };
}

export function modelsObject(orgId: string, allowed: string[] | null) {
  return { object: 'organization.models', organization_id: orgId, allowed };
}

/** Effective limits for one model (null = unlimited), with the override fields that produced them. */
export function rateLimitObject(model: string, tier: string, effective: ResolvedLimits, overrides: LimitOverride) {
  return { object: 'organization.rate_limit', id: `rl-${model}`, model, ...effective, tier, overrides };
}

export function deletedObject(object: string, id: string) {
  return { object, id, deleted: true };
}
