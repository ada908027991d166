/**
 * `tollgate docs errors | head -1`: the reader closes the pipe while the command still writes.
 * Every command ends quietly then (exit 0, nothing on stderr); docs' output, larger than a pipe's
 * buffer, used to die on an unhandled EPIPE with a stack and exit 1.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endQuietlyWhenReaderCloses } from '../../src/cli/closed-stdout.js';
import { track } from '../support/children.js';

const MAIN = join(new URL('../../dist/cli/main.js', import.meta.url).pathname);

/**
 * Runs the command with a stdout pipe whose reader is already closed (what `| head -1` comes to
 * once head has its line; closing it at once, rather than after some output, leaves no race with
 * an output that still fits the buffer) and resolves to its exit code and stderr.
 */
function runWithClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = track(spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  child.stdout.destroy();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a command whose reader closes the pipe', () => {
  it.each([[['docs', 'errors']], [['docs', 'errors', '--lang', 'zh-CN']], [['--help']], [['config', 'check']], [['simulate', '--help']]])('tollgate %j exits 0 without a word on stderr', async (args) => {
    expect(await runWithClosedReader(args)).toEqual({ code: 0, stderr: '' });
  });
});

describe('endQuietlyWhenReaderCloses', () => {
  it('exits 0 on EPIPE and throws any other write error again', () => {
    const out = new EventEmitter();
    const codes: number[] = [];
    endQuietlyWhenReaderCloses(out, (c) => codes.push(c));
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(codes).toEqual([0]);
    expect(() => out.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow('EIO');
    expect(codes).toEqual([0]);
  });
});
