import { pino, type DestinationStream, type Logger } from 'pino';

/** The levels `logging.level` may name: pino's, and `silent`. */
export const LOG_LEVELS: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];

const SECRET_PATHS = ['authorization', 'headers.authorization', 'req.headers.authorization', 'key', 'api_key', 'admin_key', '*.key', '*.api_key'];
const PROMPT_PATHS = ['messages', 'prompt', 'input'];

/** How deep `withoutCommandArgs` looks into a serialized error (causes, aggregated errors). */
const MAX_ERROR_DEPTH = 6;

/**
 * A serialized error with the arguments of every Redis command in it replaced: ioredis attaches
 * the failed command to its errors (`command: { name, args }`), and the command of a failed
 * connection is AUTH (or HELLO) with the password as its argument. Keys and values of other
 * commands are no business of a log either. Looks into nested objects (`cause`, an aggregate's
 * `errors`, ioredis's `lastNodeError`), copying only what it changes.
 */
export function withoutCommandArgs(x: unknown, depth = 0): unknown {
  if (x === null || typeof x !== 'object' || depth > MAX_ERROR_DEPTH) return x;
  if (Array.isArray(x)) {
    const items = x.map((v) => withoutCommandArgs(v, depth + 1));
    return items.some((v, i) => v !== x[i]) ? items : x;
  }
  const o = x as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(o)) {
    const v = o[k];
    let next = withoutCommandArgs(v, depth + 1);
    if (k === 'command' && next !== null && typeof next === 'object' && 'args' in next) next = { ...(next as object), args: '[redacted]' };
    if (next !== v) (out ??= { ...o })[k] = next;
  }
  return out ?? o;
}

/**
 * An error's message followed by its causes' (`a: b: c`), as the serializer writes an `err`'s
 * message: for a line that logs the text alone, where a cause (the connection failure behind a
 * refused Redis command) would otherwise be left out.
 */
export function errorText(e: unknown, depth = 0): string {
  if (!(e instanceof Error)) return String(e);
  const cause = depth < MAX_ERROR_DEPTH && e.cause instanceof Error ? e.cause : undefined;
  return cause ? `${e.message}: ${errorText(cause, depth + 1)}` : e.message;
}

/** pino's error serializer, then `withoutCommandArgs`. */
const errSerializer = (e: unknown): unknown => withoutCommandArgs(e instanceof Error ? pino.stdSerializers.err(e) : e);

/**
 * Structured JSON logs. Keys are never logged, and prompts only with `logging.log_prompts`
 * (one `prompt` line per inference request, pipeline/prompt-log.ts): request logs carry ids,
 * routes and numbers, and the redact list is a second line of defence for anything that slips in.
 * Errors (`err`, `error`) go through pino's serializer without their Redis command arguments
 * (`withoutCommandArgs`).
 */
export function createLogger(level: string, dest?: DestinationStream, opts: { logPrompts?: boolean } = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      serializers: { err: errSerializer, error: errSerializer },
      redact: {
        paths: opts.logPrompts ? SECRET_PATHS : [...SECRET_PATHS, ...PROMPT_PATHS],
        censor: '[redacted]',
      },
    },
    dest,
  );
}
