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

type ExitMeanings = readonly (readonly [ExitCode, string])[];

/** The help's exit-code line: `Exit codes: 0 ok, 1 …, 2 ….` from (code, meaning) pairs. */
export function exitHelp(codes: ExitMeanings, title = 'Exit codes'): string {
  return `${title}: ${codes.map(([code, meaning]) => `${code} ${meaning}`).join(', ')}.`;
}

/** The exit codes of the admin verbs, which call a gateway: the ones a script around them tells apart. */
export const ADMIN_EXITS: ExitMeanings = [
  [EXIT.ok, 'ok'],
  [EXIT.failed, 'the API answered with an error (or the command failed)'],
  [EXIT.usage, 'usage error'],
  [EXIT.cannotConnect, 'cannot connect'],
];

export const EXIT_HELP = exitHelp(ADMIN_EXITS);
