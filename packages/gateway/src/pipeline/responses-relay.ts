/**
 * Relays a Responses event stream to the client as typed SSE (`event: <type>` + `data: {...}`),
 * with backpressure. Every event is renumbered (`sequence_number` from 0, the gateway may add
 * events of its own) and every embedded `response` object is presented as the gateway's (its
 * id, the caller's model name and settings).
 *
 * The terminal event (`response.completed` / `response.incomplete`) is held back until the
 * request is settled and stored, so a client that saw it can rely on both. A failure after the
 * start ends the stream with `response.failed`, whose output is every item the stream had opened,
 * with the text its deltas carried, and whose usage is what was produced (and what is charged):
 * the same deltas counted; then an `error` event, flat and nested (errors/render.ts), on which
 * the SDKs throw an APIError. In that order because the SDKs stop reading at the first frame that
 * has an `error` key: a client of openai-node or openai-python sees the failed response (its
 * events, `stream.on('response.failed')`) and then the error, where the other order would hide
 * the failed response from every SDK. The reference has no capture of the order OpenAI sends
 * (openai-wire.md §5: "`event: error` and/or `response.failed`").
 * @module
 */
import { sseFrame, type Usage } from '@tollgate/protocol';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { errorBody, streamErrorFrame } from '../errors/render.js';
import { FrameBatch } from '../http/frame-batch.js';
import { startStream } from '../http/respond.js';
import { responseUsage, usageOfResponse, type ResponseObject } from '../responses/response-object.js';
import { usageDetails } from '../upstream/wire-usage.js';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import { PartialOutput } from '../responses/partial-output.js';
import { countOutput } from './usage-count.js';

type Obj = Record<string, unknown>;

export interface ResponsesStreamOutcome {
  /** The engine's own count, from the terminal event. */
  usage: Usage | undefined;
  /** Of its input tokens, those the engine reported as cached (`input_tokens_details.cached_tokens`); 0 without its usage. */
  cachedTokens: number;
  /** Output tokens counted from the deltas sent, for when the engine gave no usage. */
  completionTokens: number;
  error: ApiError | undefined;
  disconnected: boolean;
  /** The final response (completed, incomplete or failed); undefined when the client left. */
  response: ResponseObject | undefined;
}

export interface ResponsesRelayOptions {
  promptTokens: number;
  publicUrl: string;
  /** Counts the output when the engine reported no usage (off the event loop when long). */
  counter: PromptCounter;
  /** The gateway's view of a `response` object from the engine. */
  present(r: Obj): ResponseObject;
  /** Settles and stores; runs before the terminal event is written. */
  settle(o: ResponsesStreamOutcome): Promise<void>;
}

const TERMINAL = new Set(['response.completed', 'response.incomplete']);
/** Output deltas, counted when the engine reports no usage; reasoning is output. */
const DELTAS = new Set(['response.output_text.delta', 'response.function_call_arguments.delta', 'response.refusal.delta', 'response.reasoning_text.delta', 'response.reasoning_summary_text.delta']);

export async function relayResponseEvents(ctx: RequestContext, events: AsyncIterable<Obj>, opts: ResponsesRelayOptions): Promise<{ tokens: number }> {
  const res = ctx.res;
  let seq = 0;
  let started = false;
  let snapshot: ResponseObject | undefined;
  let terminal: Obj | undefined;
  const produced: string[] = [];
  const partial = new PartialOutput();
  let error: ApiError | undefined;
  // The frames of one upstream read leave in one write (http/frame-batch.ts).
  const frames = new FrameBatch(res);
  const send = async (frame: string) => {
    if (!frames.add(frame)) await frames.drained();
  };
  const write = (ev: Obj) => {
    ev.sequence_number = seq++;
    return send(sseFrame(ev, String(ev.type)));
  };
  try {
    for await (const ev of events) {
      if (ctx.clientGone.aborted) break;
      // Read to the end (an upstream connection goes back to its pool), but nothing follows the terminal event.
      if (terminal) continue;
      const type = String(ev.type);
      if (ev.response && typeof ev.response === 'object') ev.response = opts.present(ev.response as Obj);
      if (DELTAS.has(type) && typeof ev.delta === 'string') produced.push(ev.delta);
      else if (type === 'response.created' || type === 'response.in_progress') snapshot = ev.response as ResponseObject;
      partial.apply(ev);
      if (!started) {
        startStream(ctx, false); // the headers leave with the first frame written
        started = true;
      }
      if (TERMINAL.has(type)) {
        terminal = ev;
        continue;
      }
      await write(ev);
    }
    // An upstream that ends without a terminal event was cut short.
    if (!terminal && !ctx.clientGone.aborted) throw new ApiError('upstream_invalid_response');
  } catch (e) {
    // Before the first event the error is an ordinary HTTP error: let the caller render it.
    if (!started && !ctx.clientGone.aborted) throw e;
    error = e instanceof ApiError ? e : new ApiError('server_error', {}, { cause: e });
  }
  // The last frames leave with the end, after the usage record (FrameBatch.hold).
  frames.hold();
  const disconnected = ctx.clientGone.aborted;
  const engineUsage = (terminal?.response as Obj | undefined)?.usage;
  const reported = terminal ? usageOfResponse(engineUsage) : undefined;
  const details = reported ? usageDetails(engineUsage) : undefined;
  const completionTokens = reported?.completion_tokens ?? (await countOutput(opts.counter, produced.join('')));
  let final: ResponseObject | undefined;
  const failed = disconnected ? undefined : error;
  if (failed) {
    const body = errorBody(failed, opts.publicUrl).error;
    const base = snapshot ?? opts.present({ object: 'response', output: [] });
    final = {
      ...base,
      status: 'failed',
      error: { code: body.code ?? body.type, message: body.message },
      output: partial.output(),
      usage: responseUsage({ prompt_tokens: opts.promptTokens, completion_tokens: completionTokens, total_tokens: opts.promptTokens + completionTokens }),
    };
  } else if (!disconnected && terminal) {
    final = terminal.response as ResponseObject;
    // The engine's usage in OpenAI's full shape (both detail objects, its detail counts kept).
    if (reported) final.usage = responseUsage(reported, details);
  }
  await opts.settle({ usage: reported, cachedTokens: details?.cached_tokens ?? 0, completionTokens, error, disconnected, response: final });
  if (disconnected) {
    res.destroy();
  } else {
    if (!started) startStream(ctx, false);
    if (failed) {
      await write({ type: 'response.failed', response: final });
      await send(streamErrorFrame(failed, opts.publicUrl, 'responses', seq++));
    } else if (terminal) {
      await write(terminal);
    }
    frames.end('');
  }
  return { tokens: (reported?.prompt_tokens ?? opts.promptTokens) + completionTokens };
}
