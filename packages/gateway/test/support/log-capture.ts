/** A logger whose lines a test reads back: the gateway's own (`createLogger`, its serializers and redaction) into memory. */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

export function captureLog(level = 'info'): { lines: LogLine[]; log: Logger } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { lines, log: createLogger(level, sink) };
}
