import { ApiError } from '../errors/api-error.js';
import type { Organization, Store, User } from '../store/index.js';

/** A live organization, or 404. */
export async function liveOrganization(store: Store, id: string): Promise<Organization> {
  const org = await store.organizations.get(id);
  if (!org) throw new ApiError('resource_not_found', { resource: 'organization', id });
  return org;
}

export async function existingUser(store: Store, id: string): Promise<User> {
  const user = await store.users.get(id);
  if (!user) throw new ApiError('resource_not_found', { resource: 'user', id });
  return user;
}
