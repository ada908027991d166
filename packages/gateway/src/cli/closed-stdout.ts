/**
 * What every `tollgate` command does when the reader of its stdout goes away
 * (`tollgate docs errors | head -1`): it ends at once with exit 0 and prints nothing more, as
 * the verbs whose output fits in the pipe's buffer always appeared to. Without it, an output
 * larger than the buffer made Node raise the write's EPIPE as an unhandled 'error' event: a
 * stack on stderr and exit 1. Installed once, in main.ts, for every command.
 * @module
 */
import type { EventEmitter } from 'node:events';
import { EXIT } from './exit.js';

/**
 * Listens for `stdout`'s write errors: EPIPE (the reader closed the pipe) calls `exit(0)`; any
 * other error is thrown again, as Node would have without a listener.
 */
export function endQuietlyWhenReaderCloses(stdout: EventEmitter, exit: (code: number) => void): void {
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    exit(EXIT.ok);
  });
}
