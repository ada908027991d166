/**
 * The relay closes the upstream stream whenever it stops reading it early, as a for-await loop
 * would: not only when the client left, but also when its own loop body throws (the response
 * cannot be written, a chunk cannot be serialized). Otherwise the upstream request would stay open
 * until its idle timer fired.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Usage } from '@tollgate/protocol';
import type { RequestContext } from '../../src/http/context.js';
import { AbortLatch } from '../../src/http/abort-latch.js';
import { relayStream, type StreamOutcome } from '../../src/pipeline/relay.js';
import type { PromptCounter } from '../../src/tokens/prompt-counter.js';
import type { BreakerOutcome } from '../../src/upstream/breaker.js';
import { AttemptControl } from '../../src/upstream/openai-compatible/attempt-control.js';
import { UpstreamChunkStream } from '../../src/upstream/openai-compatible/chunk-stream.js';
import { chunks } from '../upstream/fake-upstream.js';
import { TIMEOUTS } from '../upstream/helpers.js';

const counter = { count: async () => [{ tokens: 0 }] } as unknown as PromptCounter;
const ZERO: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** A response whose `writeHead` runs `onHead`; what is written is kept. */
function fakeResponse(onHead: () => void = () => {}) {
  return {
    written: '',
    writableNeedDrain: false,
    writableEnded: false,
    destroyed: false,
    writeHead: onHead,
    flushHeaders() {},
    write(s: string) {
      this.written += s;
      return true;
    },
    end(s = '') {
      this.written += s;
      this.writableEnded = true;
    },
    destroy() {
      this.destroyed = true;
    },
  };
}

function fakeContext(res: ReturnType<typeof fakeResponse>): RequestContext {
  return { id: 'req_test', start: 0n, path: '/v1/chat/completions', headers: {}, res, clientGone: new AbortLatch() } as unknown as RequestContext;
}

/** An upstream body that sends `frames` and then nothing, without ending (as an engine still generating). */
function stalledBody(frames: string[]): Readable {
  const body = new Readable({ read() {} });
  body.push(frames.map((t) => `data: ${t}\n\n`).join(''));
  return body;
}

describe('relayStream closes the upstream when its loop throws', () => {
  it('a response that cannot be written before the first frame: the upstream request is cut, the error goes to the caller', async () => {
    const body = stalledBody(chunks([' a', ' b']).slice(0, 3).map((c) => JSON.stringify(c)));
    const ends: BreakerOutcome[] = [];
    const stream = new UpstreamChunkStream(body, { ctl: new AttemptControl(TIMEOUTS, new AbortLatch(), true), timeouts: TIMEOUTS, overloadStatus: 503, onEnd: (o) => ends.push(o), usageRequested: true, choices: 1 });
    await stream.first();
    const res = fakeResponse(() => {
      throw new Error('socket gone');
    });
    await expect(relayStream(fakeContext(res), stream, false, 'http://gw', async () => ZERO, counter)).rejects.toThrow('socket gone');
    expect(body.destroyed).toBe(true);
    expect(ends).toEqual(['ignored']);
  });

  it('a chunk that cannot be serialized mid-stream: the upstream iterator is closed, the client gets the error frame', async () => {
    let closed = false;
    async function* upstream() {
      try {
        yield { choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] };
        yield { choices: [{ index: 0, delta: { content: 'b' }, finish_reason: null }], bad: 1n };
        yield { choices: [{ index: 0, delta: { content: 'c' }, finish_reason: null }] };
      } finally {
        closed = true;
      }
    }
    const res = fakeResponse();
    const settled: StreamOutcome[] = [];
    await relayStream(fakeContext(res), upstream(), false, 'http://gw', async (o) => (settled.push(o), ZERO), counter);
    expect(closed).toBe(true);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.error?.cause).toBeInstanceOf(TypeError); // a BigInt has no JSON
    expect(res.written).toMatch(/^data: \{"choices".*"content":"a".*\n\ndata: \{"error"/s);
  });
});
