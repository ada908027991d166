/**
 * Which projects a user's API key may act in: the organization's Default project (every member
 * reaches it), a project the user is a member of, or any project for an organization owner.
 * Authentication applies it to every user key (identity), the key objects report it as the key's
 * `access`, and the console offers only such projects when a member makes a key.
 * @module
 */

/**
 * Whether a user with organization role `orgRole` and role `projectRole` in the project (null or
 * undefined: not a member of it) may use a project that `isDefault` or not.
 */
export function mayUseProject(isDefault: boolean, orgRole: string, projectRole: string | null | undefined): boolean {
  return isDefault || orgRole === 'owner' || projectRole != null;
}
