import { SSE_DONE, sseFrame, type Usage } from '@tollgate/protocol';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { streamErrorFrame } from '../errors/render.js';
import { FrameBatch } from '../http/frame-batch.js';
import { startStream } from '../http/respond.js';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import { chatWireUsage, usageDetails } from '../upstream/wire-usage.js';
import { chunkRuns, withoutNullUsage } from '../upstream/chunk-text.js';
import { CompletionText, readUsage } from './usage-count.js';
import type { EchoOf } from './echoed-prompts.js';

export interface StreamOutcome {
  usage: Usage | undefined;
  /** Of the engine's prompt tokens, those it reported as cached (`prompt_tokens_details.cached_tokens`); 0 without its usage. */
  cachedTokens: number;
  completionTokens: number;
  error: ApiError | undefined;
  disconnected: boolean;
}

/**
 * Relays engine chunks to the client as SSE with backpressure, each as it arrives. The engine
 * was asked for usage whatever the client wanted; usage is read from whichever chunk carries it
 * (OpenAI sends it alone with `choices: []`, other engines on the last chunk with a choice; the
 * last report wins), and passed on only if the client asked for it. `settle` runs before the
 * final frame ([DONE] or the error frame) is written and returns the usage it billed: a client
 * that asked for usage and got none from the engine gets that one, so what it sees is what it
 * pays. `counter` counts that estimate (the gateway's own PromptCounter, off the loop when long),
 * without the prompts `echoOf` gives where a legacy completion's choices start with them.
 *
 * Chunks are taken a run (one upstream read) at a time (ChunkRuns); a plain chunk, which the
 * stream did not parse, is sent as its text and its output counted only if the engine reports no
 * usage or the stream ends early (CompletionText.addPlainChunk): what is sent and billed is what it
 * would be had every chunk been parsed.
 */
export async function relayStream(
  ctx: RequestContext,
  chunks: AsyncIterable<Record<string, unknown>>,
  clientWantsUsage: boolean,
  publicUrl: string,
  settle: (o: StreamOutcome) => Promise<Usage>,
  counter: PromptCounter,
  echoOf?: EchoOf,
): Promise<{ tokens: number }> {
  const res = ctx.res;
  // The frames of one upstream read leave in one write (http/frame-batch.ts).
  const frames = new FrameBatch(res);
  const text = new CompletionText(counter, echoOf);
  const runs = chunkRuns(chunks);
  let usage: Usage | undefined;
  let cachedTokens = 0;
  let error: ApiError | undefined;
  let started = false;
  /** The last chunk relayed, or its JSON text when it was plain (not parsed). */
  let last: Record<string, unknown> | string | undefined;
  try {
    let gone = false;
    /** The stream ended by itself: nothing to close. */
    let ended = false;
    try {
      for (;;) {
        const run = await runs.nextRun();
        if (run === undefined) {
          ended = true;
          break;
        }
        const { texts, chunks: parsed } = run;
        for (let i = 0; i < texts.length; i++) {
          if (ctx.clientGone.aborted) {
            gone = true;
            break;
          }
          const chunk = parsed[i];
          // The chunk as it came when it is sent unchanged: no second JSON.stringify.
          let json = texts[i];
          if (chunk === undefined) {
            // Plain: output only, no usage; a `usage` field only as its text's end (ChunkRun).
            last = json!;
            text.addPlainChunk(run.templates![i]!, json!);
            if (!clientWantsUsage) json = withoutNullUsage(json!) ?? json;
          } else {
            last = chunk;
            const reported = chunk.usage === null || chunk.usage === undefined ? undefined : readUsage(chunk.usage);
            if (reported) {
              usage = reported;
              cachedTokens = usageDetails(chunk.usage).cached_tokens;
            }
            const choices = chunk.choices;
            if (reported && Array.isArray(choices) && choices.length === 0) {
              if (!clientWantsUsage) continue;
            } else {
              text.addChunk(chunk);
              if (!clientWantsUsage && 'usage' in chunk) {
                json = json !== undefined && chunk.usage === null ? withoutNullUsage(json) : undefined;
                // Only a chunk serialized again needs the field gone (a delete makes the object slow).
                if (json === undefined) delete chunk.usage;
              }
            }
          }
          if (!started) {
            startStream(ctx, false); // the headers leave with this first frame
            started = true;
          }
          if (!frames.add(json === undefined ? sseFrame(chunk) : `data: ${json}\n\n`)) await frames.drained();
        }
        if (gone) break;
      }
    } finally {
      // As a for-await loop left early (the client gone, or a throw in its body): the upstream
      // request is cut now, not when its idle timer fires. After the stream's own throw this is a no-op.
      if (!ended) await runs.return?.();
    }
  } catch (e) {
    // Before the first chunk the error is an ordinary HTTP error: let the caller render it.
    if (!started && !ctx.clientGone.aborted) throw e;
    error = e instanceof ApiError ? e : new ApiError('server_error', {}, { cause: e });
  }
  // The last frames leave with the end, after the usage record (FrameBatch.hold).
  frames.hold();
  const disconnected = ctx.clientGone.aborted;
  const completionTokens = usage?.completion_tokens ?? (await text.tokens());
  const billed = await settle({ usage, cachedTokens, completionTokens, error, disconnected });
  if (disconnected) {
    res.destroy();
  } else if (error) {
    if (!started) startStream(ctx, false);
    frames.end(streamErrorFrame(error, publicUrl));
  } else {
    if (!started) startStream(ctx, false);
    frames.end(clientWantsUsage && !usage && last !== undefined ? sseFrame(usageChunk(typeof last === 'string' ? (JSON.parse(last) as Record<string, unknown>) : last, billed)) + SSE_DONE : SSE_DONE);
  }
  return { tokens: (usage?.prompt_tokens ?? 0) + completionTokens };
}

/**
 * The usage chunk OpenAI sends last (`choices: []`), for the stream whose last chunk is `last`.
 * A chat chunk's usage has OpenAI's two detail objects, all 0: the engine reported no usage, so
 * none of the counted tokens is known to be cached or reasoning (the same usage the simulator
 * sends). A legacy completion's usage is the totals, as OpenAI's is.
 */
function usageChunk(last: Record<string, unknown>, usage: Usage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['id', 'object', 'created', 'model', 'system_fingerprint']) if (last[k] !== undefined) out[k] = last[k];
  out.choices = [];
  out.usage = last.object === 'chat.completion.chunk' ? chatWireUsage(usage) : usage;
  return out;
}
