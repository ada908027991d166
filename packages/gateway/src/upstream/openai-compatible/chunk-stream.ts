/**
 * The chunk iterator of a streamed upstream answer: reads the response body only when the
 * consumer asks for the next chunk (so a slow client slows the upstream through TCP, and nothing
 * piles up here), parses SSE, and turns every way a stream can go wrong into one thrown error.
 *
 * `first()` reads up to the first chunk before the engine hands the stream out, so a failure
 * before any output is still an ordinary, retryable error. After that, failures (socket reset,
 * idle or total timeout, an error frame, a stream cut short) are thrown from `next()` as
 * ApiErrors, after any chunks that arrived before them. A stream that ends without `[DONE]` is
 * cut short unless the answer is visibly complete: every choice finished (and the usage chunk,
 * when it was asked for, arrived), as llama.cpp-style servers end. A client abort throws the
 * client's reason. The breaker hears the outcome exactly once, even if the consumer stops
 * reading or never starts.
 *
 * A chat stream's chunks are also read a run at a time (`nextRun`, ChunkRuns), each with its text;
 * once output has started, a chunk matching the stream's template (chunk-template.ts) is not
 * parsed at all: nothing here needs to read it (it finishes no choice, carries no usage or error),
 * and the relay sends its text as it came. `next()` parses such a chunk when it hands it out.
 */
import type { Timeouts } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import type { BreakerOutcome } from '../breaker.js';
import { isOneLine, type ChunkRun, type ChunkRuns, type PlainTemplate } from '../chunk-text.js';
import type { AttemptControl } from './attempt-control.js';
import { errorObjectOf, mapUpstreamError, statusOfErrorObject, type UpstreamErrorObject } from './error-map.js';
import { ChunkTemplate } from './chunk-template.js';
import { AttemptError, MappedAnswer, toAttemptError } from './failure.js';
import { SseEventTooLarge, SseParser, type SseEvent } from './sse.js';
import type { AnswerBody } from './streamed-exchange.js';

type Chunk = Record<string, unknown>;

export interface ChunkStreamOptions {
  ctl: AttemptControl;
  timeouts: Timeouts;
  overloadStatus: 429 | 503;
  /** Called exactly once, when the stream is over for whatever reason. */
  onEnd(outcome: BreakerOutcome): void;
  /** The request asked the upstream for a usage chunk (`stream_options.include_usage`). */
  usageRequested: boolean;
  /** Choices the request asked for (`n`): a complete answer finishes at least this many. */
  choices: number;
  /**
   * `responses`: a Responses API event stream, which has no `[DONE]`: it is complete once its
   * terminal event arrived, and `response.failed` or an `error` event is an error.
   */
  dialect?: 'chat' | 'responses';
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
/** Templates a stream may try (a JSON.parse each): a stream whose chunks fit none stops trying. */
const TEMPLATE_TRIES = 4;

export class UpstreamChunkStream implements AsyncIterableIterator<Chunk>, ChunkRuns {
  private readonly reader: AsyncIterator<Buffer>;
  private readonly parser = new SseParser();
  /** Queued chunks (undefined: plain, not parsed), their texts and plain chunks' templates (ChunkRun), from `head` on. */
  private queue: (Chunk | undefined)[] = [];
  private texts: (string | undefined)[] = [];
  private templates: (PlainTemplate | undefined)[] = [];
  private head = 0;
  /** The plain chunk of this stream, once one was seen (chat streams, after output started). */
  private template: ChunkTemplate | undefined;
  private templateTries = TEMPLATE_TRIES;
  private started = false;
  private sawDone = false;
  private bodyEnded = false;
  private draining = false;
  private ended = false;
  private failure: AttemptError | undefined;
  private thrown = false;
  /** Choice indexes seen, and those that carried a finish_reason: to tell a complete answer from a cut one. */
  private readonly choicesSeen = new Set<number>();
  private readonly choicesFinished = new Set<number>();
  private usageSeen = false;
  private readonly onAbort = () => void this.fail(this.opts.ctl.signal.reason);

  constructor(
    private readonly body: AnswerBody,
    private readonly opts: ChunkStreamOptions,
  ) {
    this.reader = body[Symbol.asyncIterator]();
    opts.ctl.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Reads up to the first chunk that carries output; throws the AttemptError when the stream fails
   * before it. A role-only preamble (`delta: {role: 'assistant', content: ''}`, which vLLM sends
   * before generating anything) is not output: until real output arrives the first-byte timeout
   * still runs, and a failure can still go to another deployment or a fallback.
   */
  async first(): Promise<void> {
    await this.fill(true);
    if (this.started || !this.failure) return;
    this.thrown = true;
    throw this.failure;
  }

  async next(): Promise<IteratorResult<Chunk, undefined>> {
    for (;;) {
      const ready = this.ready();
      if (ready !== undefined) return ready ? { value: this.take(), done: false } : DONE;
      await this.fill();
    }
  }

  /**
   * Every chunk queued (at least one), with its text; undefined at the end. Throws as `next()` does.
   * Reads through `fill` itself, one async call per upstream read (a run is taken per read).
   */
  async nextRun(): Promise<ChunkRun | undefined> {
    for (;;) {
      const ready = this.ready();
      if (ready === false) return undefined;
      if (ready) break;
      await this.fill();
    }
    const { head } = this;
    const run: ChunkRun = head === 0 ? { texts: this.texts, chunks: this.queue, templates: this.templates } : { texts: this.texts.slice(head), chunks: this.queue.slice(head), templates: this.templates.slice(head) };
    this.clear();
    return run;
  }

  /**
   * Whether a chunk is queued (true), the stream is over (false), or more must be read first
   * (undefined: `fill`); throws a failure once.
   */
  private ready(): boolean | undefined {
    if (this.head < this.queue.length) return true;
    if (this.failure) {
      if (this.thrown) return false;
      this.thrown = true;
      throw this.failure.midStream();
    }
    if (this.ended) return false;
    if (this.sawDone) {
      // The answer is whole: the consumer may end its response now, so `[DONE]` leaves in the
      // same socket write as the last chunks instead of one more after the upstream's own end.
      // The rest of the body (its chunked-encoding end) is read in the background, and the
      // connection goes back to the pool then.
      if (!this.draining) {
        this.draining = true;
        void this.drain().then(() => this.finish('success'));
      }
      return false;
    }
    return undefined;
  }

  /** The consumer stopped early: the upstream request is cut (its socket closed). */
  async return(): Promise<IteratorResult<Chunk, undefined>> {
    this.finish('ignored');
    this.clear();
    return DONE;
  }

  private clear(): void {
    this.queue = [];
    this.texts = [];
    this.templates = [];
    this.head = 0;
  }

  private take(): Chunk {
    const i = this.head++;
    // A plain chunk's text is valid JSON (chunk-template.ts).
    const c = this.queue[i] ?? (JSON.parse(this.texts[i]!) as Chunk);
    if (this.head === this.queue.length) this.clear();
    return c;
  }

  /**
   * Reads until at least one chunk is queued (or, with `untilOutput`, a chunk carrying output),
   * `[DONE]` arrives, or the stream fails. Never throws.
   */
  private async fill(untilOutput = false): Promise<void> {
    const { ctl } = this.opts;
    try {
      while ((untilOutput ? !this.started : this.head >= this.queue.length) && !this.sawDone && !this.ended) {
        ctl.armIdle();
        let r: IteratorResult<Buffer>;
        try {
          r = await this.reader.next();
        } finally {
          ctl.disarmIdle();
        }
        if (r.done) {
          this.bodyEnded = true;
          this.accept(this.parser.end());
          // A clean end without [DONE] is a cut-short answer, unless the answer itself is complete.
          if (!this.sawDone && !this.complete()) throw new ApiError('upstream_invalid_response');
          this.sawDone = true;
          return;
        }
        this.accept(this.parser.push(r.value));
      }
    } catch (e) {
      this.fail(e instanceof SseEventTooLarge ? new ApiError('upstream_invalid_response', {}, { cause: e }) : e);
    }
  }

  private accept(events: SseEvent[]): void {
    for (const ev of events) {
      if (this.sawDone) return;
      if (ev.data === '[DONE]') {
        this.sawDone = true;
        return;
      }
      if (this.template && ev.event === 'message' && this.template.matches(ev.data)) {
        // Valid JSON, no error, no usage, no finished choice: nothing to read (the template's chunk was tracked).
        this.queue.push(undefined);
        this.texts.push(ev.data);
        this.templates.push(this.template);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(ev.data);
      } catch (cause) {
        throw new ApiError('upstream_invalid_response', {}, { cause });
      }
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      const events = this.opts.dialect === 'responses';
      const err = errorObjectOf(value) ?? ((ev.event === 'error' || (events && (value as Chunk).type === 'error')) && isObject ? (value as UpstreamErrorObject) : undefined) ?? (events && isObject ? failedError(value as Chunk) : undefined);
      if (err) throw new MappedAnswer(mapUpstreamError(statusOfErrorObject(err), { error: err }, {}, this.opts.overloadStatus));
      if (!isObject) throw new ApiError('upstream_invalid_response');
      this.queue.push(value as Chunk);
      this.texts.push(!events && isOneLine(ev.data) ? ev.data : undefined);
      this.templates.push(undefined);
      this.track(value as Chunk);
      if (events && RESPONSES_TERMINAL.has(String((value as Chunk).type))) this.sawDone = true;
      if (!this.started && (events ? eventCarriesOutput(value as Chunk) : carriesOutput(value as Chunk))) {
        this.started = true;
        this.opts.ctl.firstByteSeen();
      }
      // Only once output started: before that every chunk is read for the first byte.
      if (this.started && !events && ev.event === 'message' && this.templateTries > 0) this.learn(value as Chunk, ev.data);
    }
  }

  /** Takes `chunk` (parsed from `text`) as the stream's template if it is a plain chunk, trying a few at most. */
  private learn(chunk: Chunk, text: string): void {
    // A plain chunk that was parsed did not match the template (or there is none yet): try it.
    if (!ChunkTemplate.fits(chunk, text)) return;
    this.templateTries--;
    this.template = ChunkTemplate.of(chunk, text) ?? this.template;
  }

  /** Notes which choices a chunk touched and finished, and whether it carried usage. */
  private track(chunk: Chunk): void {
    if (chunk.usage !== null && typeof chunk.usage === 'object') this.usageSeen = true;
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices) {
      if (!c || typeof c !== 'object') continue;
      const { index, finish_reason } = c as { index?: unknown; finish_reason?: unknown };
      const i = typeof index === 'number' ? index : 0;
      this.choicesSeen.add(i);
      if (typeof finish_reason === 'string' && finish_reason.length > 0) this.choicesFinished.add(i);
    }
  }

  /**
   * Whether the chunks so far make a whole answer: at least `n` choices, each with its
   * finish_reason, and the usage chunk if one was asked for (it comes after every choice ended).
   */
  private complete(): boolean {
    const { choicesSeen, choicesFinished } = this;
    if (choicesSeen.size < Math.max(1, this.opts.choices) || choicesFinished.size < choicesSeen.size) return false;
    return this.usageSeen || !this.opts.usageRequested;
  }

  /** After `[DONE]`: lets the response end so the connection can go back to the pool. */
  private async drain(): Promise<void> {
    const { ctl } = this.opts;
    try {
      while (!this.bodyEnded && !this.ended) {
        ctl.armIdle();
        try {
          this.bodyEnded = (await this.reader.next()).done === true;
        } finally {
          ctl.disarmIdle();
        }
      }
    } catch {
      // The answer is complete; a connection that does not end cleanly is just closed (fail()).
    }
  }

  private fail(e: unknown): AttemptError {
    if (this.failure) return this.failure;
    const f = toAttemptError(e, this.opts.ctl, this.opts.timeouts);
    if (this.ended) return f;
    if (this.sawDone) {
      // Every chunk and [DONE] arrived: how the connection ends afterwards changes nothing.
      this.finish(f.action === 'abort' ? 'ignored' : 'success');
      return f;
    }
    this.failure = f;
    this.finish(f.outcome);
    return f;
  }

  private finish(outcome: BreakerOutcome): void {
    if (this.ended) return;
    this.ended = true;
    const { ctl } = this.opts;
    ctl.signal.removeEventListener('abort', this.onAbort);
    ctl.dispose();
    if (!this.bodyEnded) this.body.destroy();
    this.opts.onEnd(outcome);
  }
}

const RESPONSES_TERMINAL = new Set(['response.completed', 'response.incomplete']);
/** Reasoning events are output too: a thinking model may send only those for seconds. */
const RESPONSES_OUTPUT = new Set([
  ...RESPONSES_TERMINAL,
  'response.output_text.delta',
  'response.function_call_arguments.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.output_item.done',
]);

/** Whether a Responses event carries output (created / in_progress / item-added events do not). */
function eventCarriesOutput(ev: Chunk): boolean {
  return RESPONSES_OUTPUT.has(String(ev.type));
}

/** The error of a `response.failed` event. */
function failedError(ev: Chunk): UpstreamErrorObject | undefined {
  if (ev.type !== 'response.failed') return undefined;
  const r = ev.response as { error?: unknown } | undefined;
  const e = r && typeof r.error === 'object' && r.error !== null ? (r.error as UpstreamErrorObject) : undefined;
  return e ?? { message: 'The upstream response failed.', code: 'server_error' };
}

/**
 * Whether a chunk carries output: text, reasoning (`reasoning_content` from vLLM and DeepSeek,
 * `reasoning` from others: a thinking model may send only that for seconds), a refusal, a tool
 * call, a finish reason, or usage.
 */
function carriesOutput(chunk: Chunk): boolean {
  const c = chunk as { choices?: unknown; usage?: unknown };
  if (c.usage) return true;
  if (!Array.isArray(c.choices) || c.choices.length === 0) return true;
  for (const choice of c.choices) {
    if (!choice || typeof choice !== 'object') return true;
    const ch = choice as { finish_reason?: unknown; text?: unknown; delta?: Record<string, unknown> };
    if (ch.finish_reason) return true;
    if (nonEmpty(ch.text)) return true;
    const d = ch.delta;
    if (!d || typeof d !== 'object') continue;
    if (nonEmpty(d.content) || nonEmpty(d.reasoning_content) || nonEmpty(d.reasoning) || d.refusal || d.tool_calls || d.function_call) return true;
  }
  return false;
}

const nonEmpty = (x: unknown) => typeof x === 'string' && x.length > 0;
