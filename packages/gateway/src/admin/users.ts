import { ConflictError } from '../store/index.js';
import { ApiError } from '../errors/api-error.js';
import type { AdminHandler } from './deps.js';
import { Fields, badValue, queryParams } from './input.js';
import { existingUser } from './lookups.js';
import { userObject } from './objects.js';
import { listBody, pageRequest } from './paging.js';

// Deliberately loose: one @, something on each side, a dot in the domain. Delivery is not our job.
/**
 * An e-mail address: a local part, `@`, and a domain of one or more labels. A single label is
 * accepted (`admin@localhost`, `ops@intranet`): the first start makes `admin@localhost`, and
 * self-hosted teams use internal host names; a label may not be empty (`a@b.`, `a@.b`).
 */
export const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*$/;

/** POST /admin/v1/users {email, name} */
export const createUser: AdminHandler = async (ctx, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['email', 'name']);
  const email = f.string('email', { required: true, max: 320 });
  const name = f.string('name', { required: true });
  if (!EMAIL.test(email)) throw badValue('email', email, 'an email address');
  try {
    const user = await deps.store.users.create({ email, name });
    deps.log?.info({ user_id: user.id }, 'user created');
    return { body: userObject(user) };
  } catch (e) {
    if (e instanceof ConflictError) throw new ApiError('resource_conflict', { message: e.message }, { param: 'email' });
    throw e;
  }
};

/** GET /admin/v1/users?limit&after */
export const listUsers: AdminHandler = async (ctx, deps) => {
  const req = pageRequest(queryParams(ctx, ['limit', 'after']));
  return { body: listBody(await deps.store.users.list(req), req, 'user', userObject) };
};

/** GET /admin/v1/users/{user_id} */
export const getUser: AdminHandler = async (ctx, deps) => {
  return { body: userObject(await existingUser(deps.store, ctx.params.user_id!)) };
};
