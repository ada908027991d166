/**
 * The exit codes of every `tollgate` command. One map, so that a script can tell the cases apart
 * whichever verb it runs.
 */
export const EXIT = {
  ok: 0,
  /** The gateway answered with an error, or the command failed (a batch with failed lines). */
  failed: 1,
  /** A usage mistake: unknown command or option, missing argument, bad value, no admin key. */
  usage: 2,
  /** The gateway could not be reached. */
  cannotConnect: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_HELP = 'Exit codes: 0 ok, 1 the API answered with an error (or the command failed), 2 usage error, 3 cannot connect.';
