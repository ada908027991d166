import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Keys and prompts are never logged: request logs carry ids, routes and
 * numbers only, and the redact list is a second line of defence for anything that slips in.
 */
export function createLogger(level: string, dest?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      redact: {
        paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'key', 'api_key', 'admin_key', '*.key', '*.api_key', 'messages', 'prompt', 'input'],
        censor: '[redacted]',
      },
    },
    dest,
  );
}
