/**
 * The console's operator verb of the `tollgate` CLI (admin API, operator's admin key):
 *
 *   tollgate users set-password <email> [--operator]
 *
 * The password is read from the terminal without echo, or from the first line of stdin; never
 * from the command line, which other users of the machine can read from the process list.
 * @module
 */
import { CommandError } from '../cli/args.js';
import type { VerbSpec } from '../cli/command.js';
import { EXIT } from '../cli/exit.js';
import { fields } from '../cli/admin/format.js';

export const CONSOLE_COMMANDS: VerbSpec[] = [
  {
    resource: 'users',
    verb: 'set-password',
    summary: "set or reset a user's console password (their sessions end)",
    args: ['email'],
    flags: { operator: { value: false, help: 'also let the user administer the gateway from the console' } },
    details: 'The password is read from the terminal (not echoed) or from the first line of stdin, never from the command line.',
    run: async (api, a, io) => {
      const email = a.arg('email').trim().toLowerCase();
      const users = await api.all('/users');
      const user = (users.data as { id: string; email: string }[]).find((u) => u.email === email);
      if (!user) throw new CommandError(`no user has the email ${email}`, EXIT.failed);
      if (!io.readSecret) throw new CommandError('cannot read a password here (no terminal or stdin)', EXIT.usage);
      const password = await io.readSecret(`New console password for ${email}: `);
      const r = await api.request('POST', `/users/${encodeURIComponent(user.id)}/password`, { password, ...(a.on('operator') ? { operator: true } : {}) });
      return { json: r, human: fields([['id', r.id], ['email', r.email], ['operator', String(r.operator)], ['password', 'set (sessions ended)']]) };
    },
  },
];
