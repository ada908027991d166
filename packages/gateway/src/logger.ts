import { pino, type DestinationStream, type Logger } from 'pino';

/** The levels `logging.level` may name: pino's, and `silent`. */
export const LOG_LEVELS: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];

const SECRET_PATHS = ['authorization', 'headers.authorization', 'req.headers.authorization', 'key', 'api_key', 'admin_key', '*.key', '*.api_key'];
const PROMPT_PATHS = ['messages', 'prompt', 'input'];

/**
 * Structured JSON logs. Keys are never logged, and prompts only with `logging.log_prompts`
 * (one `prompt` line per inference request, pipeline/prompt-log.ts): request logs carry ids,
 * routes and numbers, and the redact list is a second line of defence for anything that slips in.
 */
export function createLogger(level: string, dest?: DestinationStream, opts: { logPrompts?: boolean } = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      redact: {
        paths: opts.logPrompts ? SECRET_PATHS : [...SECRET_PATHS, ...PROMPT_PATHS],
        censor: '[redacted]',
      },
    },
    dest,
  );
}
