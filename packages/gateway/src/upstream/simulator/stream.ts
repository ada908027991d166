/**
 * Plays a list of frames as the chunk iterator of a streamed answer: paced by the latency model
 * on the injected clock, interrupted by a mid-stream fault or stall, stopped at once by the
 * call's signal, and always handing back the capacity slot, whether it is read to the end,
 * abandoned with `return()`, never read at all, or aborted.
 */
import type { Clock } from '../../clock.js';
import type { AbortLike } from '../../http/abort-latch.js';
import type { ApiError } from '../../errors/api-error.js';
import type { Frame } from './answer.js';
import { waitFor, waitForAbort } from './wait.js';

export interface FrameStreamOptions {
  frames: readonly Frame[];
  clock: Clock;
  signal: AbortLike;
  /** Clock time of the first token (after time to first token). */
  start: number;
  tokensPerSecond: number;
  /** Content chunks to send before failing (`error`) or going silent (`stall`). */
  interruption: { kind: 'error'; afterChunks: number; error: () => ApiError } | { kind: 'stall'; afterChunks: number } | null;
  /** Called exactly once: true when every frame was delivered. */
  onEnd: (completed: boolean) => void;
}

export function frameStream(opts: FrameStreamOptions): AsyncIterable<Record<string, unknown>> {
  const { frames, clock, signal, start, tokensPerSecond: tps, interruption } = opts;
  let ended = false;
  const end = (completed: boolean) => {
    if (ended) return;
    ended = true;
    signal.removeEventListener('abort', onAbort);
    opts.onEnd(completed);
  };
  // A consumer that never starts reading (the client went away first) still frees the slot.
  const onAbort = () => end(false);
  signal.addEventListener('abort', onAbort, { once: true });

  async function* play(): AsyncGenerator<Record<string, unknown>, void, undefined> {
    let completed = false;
    try {
      let contentSent = 0;
      for (const f of frames) {
        if (signal.aborted) throw signal.reason;
        // The interruption fires before content chunk n+1, or before the finish chunk when the
        // answer has n content chunks or fewer.
        if (interruption && (f.kind === 'content' ? contentSent === interruption.afterChunks : f.kind !== 'head')) {
          if (interruption.kind === 'stall') await waitForAbort(signal);
          else throw interruption.error();
        }
        if (tps > 0 && f.kind === 'content') await waitFor(clock, start + (f.atTokens * 1000) / tps - clock.now(), signal);
        yield f.chunk;
        if (f.kind === 'content') contentSent++;
      }
      completed = true;
    } finally {
      end(completed);
    }
  }

  let iterator: AsyncGenerator<Record<string, unknown>, void, undefined> | null = null;
  return {
    [Symbol.asyncIterator]() {
      const gen = (iterator ??= play());
      return {
        next: () => gen.next(),
        return: (value?: unknown) => {
          end(false);
          return gen.return(value as undefined);
        },
        throw: (err?: unknown) => {
          end(false);
          return gen.throw(err);
        },
      };
    },
  };
}
