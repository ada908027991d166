/**
 * The operator sets or resets a user's console password (the admin key, or an operator's session):
 *
 * ```
 * POST /admin/v1/users/{user_id}/password   {password, operator?: bool} → {object: "user", id, email, name, operator}
 * ```
 * Every session of the user ends: a reset password locks out whoever knew the old one.
 * `operator: true` lets the user use `/admin/v1` with a console session.
 * @module
 */
import { Fields } from '../admin/input.js';
import { existingUser } from '../admin/lookups.js';
import type { RequestContext } from '../http/context.js';
import type { Router } from '../http/router.js';
import { consoleRoute, type ConsoleDeps } from './deps.js';
import { checkPasswordPolicy, hashPassword } from './passwords.js';

export function registerOperatorConsoleRoutes(router: Router, deps: ConsoleDeps, requireAdmin: (ctx: RequestContext) => Promise<void>): void {
  router.on(
    'POST',
    '/admin/v1/users/:user_id/password',
    consoleRoute(deps, async (ctx) => {
      await requireAdmin(ctx);
      const user = await existingUser(deps.store, ctx.params.user_id!);
      const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['password', 'operator']);
      const password = f.string('password', { required: true, max: 1024 });
      const operator = f.boolean('operator');
      checkPasswordPolicy(password);
      await deps.accounts.update(user.id, { password_hash: await hashPassword(password), ...(operator === undefined ? {} : { operator: operator ? 1 : 0 }) });
      const ended = await deps.sessions.deleteForUser(user.id);
      deps.log?.info({ user_id: user.id, sessions_ended: ended, ...(operator === undefined ? {} : { operator }) }, 'operator set a console password');
      const account = await deps.accounts.get(user.id);
      return { body: { object: 'user', id: user.id, email: user.email, name: user.name, operator: account?.operator ?? false } };
    }),
  );
}
