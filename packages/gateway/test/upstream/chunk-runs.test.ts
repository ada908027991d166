/**
 * An HTTP upstream's chat stream read a run at a time (UpstreamChunkStream.nextRun): each run is
 * what one read completed, with every chunk's text; once output started, chunks that match the
 * stream's template are left unparsed, and everything that must be read (errors, finishes, usage,
 * the end of the stream) still is.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors/api-error.js';
import { AbortLatch } from '../../src/http/abort-latch.js';
import { AttemptControl } from '../../src/upstream/openai-compatible/attempt-control.js';
import { UpstreamChunkStream } from '../../src/upstream/openai-compatible/chunk-stream.js';
import type { ChunkRun } from '../../src/upstream/chunk-text.js';
import { chunks } from './fake-upstream.js';
import { TIMEOUTS } from './helpers.js';

const WORDS = [' a', ' b', ' "c"', ' d'];
const TEXTS = chunks(WORDS).map((c) => JSON.stringify(c));
const frames = (texts: string[]) => texts.map((t) => `data: ${t}\n\n`).join('');

function stream(reads: string[], opts: { usageRequested?: boolean } = {}): UpstreamChunkStream {
  const ctl = new AttemptControl(TIMEOUTS, new AbortLatch(), true);
  return new UpstreamChunkStream(Readable.from(reads.map((r) => Buffer.from(r))), { ctl, timeouts: TIMEOUTS, overloadStatus: 503, onEnd: () => {}, usageRequested: opts.usageRequested ?? true, choices: 1 });
}

async function runs(s: UpstreamChunkStream): Promise<{ runs: ChunkRun[]; error: unknown }> {
  const out: ChunkRun[] = [];
  try {
    await s.first();
    for (let r = await s.nextRun(); r; r = await s.nextRun()) out.push(r);
  } catch (error) {
    return { runs: out, error };
  }
  return { runs: out, error: undefined };
}

/** `P` for a plain (unparsed) chunk, `.` for a parsed one, a space between runs. */
const shape = (rs: ChunkRun[]) => rs.map((r) => r.chunks.map((c) => (c ? '.' : 'P')).join('')).join(' ');

describe('UpstreamChunkStream runs', () => {
  it('a run per read, every text as sent; after the first word, words are not parsed; role, finish and usage are', async () => {
    const { runs: rs, error } = await runs(stream([frames(TEXTS.slice(0, 3)), frames(TEXTS.slice(3)) + 'data: [DONE]\n\n']));
    expect(error).toBeUndefined();
    expect(shape(rs)).toBe('..P PP..');
    expect(rs.flatMap((r) => r.texts)).toEqual(TEXTS);
    // Parsed chunks are the objects the texts hold.
    for (const r of rs) r.chunks.forEach((c, i) => c && expect(c).toEqual(JSON.parse(r.texts[i]!)));
    // A plain chunk comes with the template it matched, whose slot is its content; a parsed one with none.
    for (const r of rs) {
      r.chunks.forEach((c, i) => {
        if (c) return expect(r.templates?.[i]).toBeUndefined();
        const content = (JSON.parse(r.texts[i]!) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content;
        expect(JSON.parse(r.templates![i]!.slot(r.texts[i]!))).toBe(content);
      });
    }
  });

  it('next() hands out the same chunks, plain ones parsed', async () => {
    const s = stream([frames(TEXTS) + 'data: [DONE]\n\n']);
    await s.first();
    const got: unknown[] = [];
    for await (const c of s) got.push(c);
    expect(got).toEqual(TEXTS.map((t) => JSON.parse(t)));
  });

  it('an error frame after plain chunks is thrown after them', async () => {
    const { runs: rs, error } = await runs(stream([frames([...TEXTS.slice(0, 4), '{"error":{"message":"boom","type":"server_error"}}'])]));
    expect(shape(rs)).toBe('..PP');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).entry.id).toBe('server_error');
  });

  it('a chunk like the others but finished, or not valid JSON, is parsed: the end without [DONE] is complete, the broken frame an error', async () => {
    const finished = TEXTS[2]!.replace('"finish_reason":null', '"finish_reason":"stop"');
    const complete = await runs(stream([frames([...TEXTS.slice(0, 3), finished])], { usageRequested: false }));
    expect(complete.error).toBeUndefined();
    expect(shape(complete.runs)).toBe('..P.');
    // Only plain chunks since the last finish: cut short.
    const cut = await runs(stream([frames(TEXTS.slice(0, 4))], { usageRequested: false }));
    expect((cut.error as ApiError).entry.id).toBe('upstream_invalid_response');
    const broken = await runs(stream([frames([...TEXTS.slice(0, 4), TEXTS[4]!.replace('" d"', '" d\\q"')])]));
    expect(shape(broken.runs)).toBe('..PP');
    expect((broken.error as ApiError).entry.id).toBe('upstream_invalid_response');
  });
});
