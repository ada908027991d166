/**
 * A Redis password never reaches the logs. ioredis attaches the failed command to its errors, and
 * the command of a refused connection is AUTH with the password as its argument; a wrong password
 * is often a real one (an old one, another user's), and logs get shipped.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, withoutCommandArgs } from '../../src/logger.js';
import { freePort, launch } from '../support/redis-server.js';
import type { ChildProcess } from 'node:child_process';

const RIGHT = 'right-password-8f1c';
const WRONG = 'wrong-password-27ad';
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  server = await launch(port, ['--requirepass', RIGHT]);
});
afterAll(() => {
  server?.kill('SIGKILL');
});

/** A logger writing into an array of lines. */
function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('info', dest), text: () => lines.join('') };
}

describe('Redis errors in the logs', () => {
  it('a refused AUTH is logged with its command name and message, not the password', async () => {
    const client = new Redis({ port, host: '127.0.0.1', password: WRONG, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // The refused AUTH arrives as the client's 'error' event, a ReplyError carrying the command.
    const err = await new Promise<unknown>((resolve) => client.once('error', resolve));
    client.disconnect();
    expect(err).toBeInstanceOf(Error);
    expect((err as { command?: { name?: string; args?: unknown[] } }).command).toEqual({ name: 'auth', args: [WRONG] }); // what ioredis carries

    const { log, text } = capture();
    log.warn({ err }, 'redis failed');
    log.error({ err: new Error('outer', { cause: err }) }, 'wrapped');
    log.error({ error: err }, 'under the other key');
    const out = text();
    expect(out).not.toContain(WRONG);
    expect(out).toContain('WRONGPASS');
    expect(out).toContain('[redacted]');
  });

  it('withoutCommandArgs reaches nested commands and leaves everything else as it was', () => {
    const nested = { message: 'all failed', errors: [{ message: 'x', command: { name: 'auth', args: [WRONG] } }], lastNodeError: { cause: { command: { name: 'hello', args: ['3', 'AUTH', 'default', WRONG] } } } };
    const out = withoutCommandArgs(nested);
    expect(JSON.stringify(out)).not.toContain(WRONG);
    expect(out).toEqual({ message: 'all failed', errors: [{ message: 'x', command: { name: 'auth', args: '[redacted]' } }], lastNodeError: { cause: { command: { name: 'hello', args: '[redacted]' } } } });
    const plain = { message: 'no command here', code: 'ECONNREFUSED' };
    expect(withoutCommandArgs(plain)).toBe(plain);
    expect(nested.errors[0]!.command.args).toEqual([WRONG]); // the error itself is not changed
  });
});
