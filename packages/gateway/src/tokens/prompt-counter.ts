/**
 * Counts request prompts without holding the event loop. In order, cheapest first:
 *
 * 1. a lower bound from lengths alone (no token is longer than 128 bytes): a prompt that cannot
 *    fit is refused without tokenizing anything;
 * 2. prompts with few characters in all (1,024 by default) are counted on the loop;
 * 3. the rest go to worker threads, which count only as far as the limit: a prompt is known not
 *    to fit as soon as its count passes it.
 *
 * ```ts
 * const counter = new PromptCounter();
 * const [c] = await counter.count([chatPromptText(messages, tools)], model.context_window);
 * // c.exact ? c.tokens is the count : c.tokens is a lower bound above the window
 * ```
 * @module
 */
import { hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { countPrompt, minPromptTokens, type CountJob, type CountReply, type Counted } from './count-job.js';
import type { PromptText } from './prompt-text.js';
import { workerShare } from './rank-table.js';

export type { Counted } from './count-job.js';

export interface PromptCounterOptions {
  /**
   * Prompts with at most this many characters in all are counted on the event loop. The costliest
   * text (random CJK, random words: every piece new) counts at a few microseconds per character,
   * so the default keeps that to a few milliseconds (measured: 1,024 such characters, median
   * 1.6–3.7 ms on a heavily shared 2-core machine); anything longer goes to a worker thread.
   */
  inlineChars?: number;
  /** Worker threads (default: one per spare core, at least 1, at most 4). 0 counts everything inline. */
  workers?: number;
  /**
   * Start the workers now (each loads the vocabulary, ~1 s), so the first long prompt does not
   * wait for that; otherwise they start with the first job.
   */
  eager?: boolean;
  /**
   * Texts whose exact counts are remembered (default 100,000, about 15 MB), the least recently
   * used dropped first; 0 remembers none. A text is counted once while it is remembered: a system
   * prompt sent with every request, the earlier turns a chat client sends again with each new one.
   * Texts are remembered by their SHA-256, never as text: the memory holds no prompt.
   */
  memoTexts?: number;
}

const DEFAULT_INLINE_CHARS = 1024;
const DEFAULT_MEMO_TEXTS = 100_000;
/** Texts this short cost less to count than to look up. */
const MIN_MEMO_CHARS = 16;
/**
 * Texts longer than this are not remembered: their SHA-256 would be computed on the event loop
 * (about 2 ms a megabyte), where counting them goes to a worker anyway.
 */
const MAX_MEMO_CHARS = 64 * 1024;

interface Pending {
  job: CountJob;
  resolve(counts: Counted[]): void;
  reject(e: Error): void;
}

export class PromptCounter {
  private readonly inlineChars: number;
  private readonly pool: WorkerPool | undefined;
  /** Exact token counts of texts counted before, by the text's SHA-256. */
  private readonly known: LRUCache<string, number> | undefined;

  constructor(opts: PromptCounterOptions = {}) {
    this.inlineChars = opts.inlineChars ?? DEFAULT_INLINE_CHARS;
    const memoTexts = opts.memoTexts ?? DEFAULT_MEMO_TEXTS;
    this.known = memoTexts > 0 ? new LRUCache({ max: memoTexts }) : undefined;
    const size = opts.workers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    const file = size > 0 ? workerFile() : undefined;
    this.pool = file ? new WorkerPool(file, size) : undefined;
    if (opts.eager) this.pool?.start();
  }

  /**
   * Each prompt's tokens; counting of a prompt stops once it passes `stopAbove`. Texts counted
   * before are not counted again: a prompt's count is its framing plus the sum of its texts'
   * counts (count-job.ts), so one text's exact count is the same in any prompt. `remember: false`
   * counts without the memo (output, which is not counted again).
   */
  async count(prompts: PromptText[], stopAbove: number, opts?: { remember?: boolean }): Promise<Counted[]> {
    const out = new Array<Counted | undefined>(prompts.length);
    // What is left to count, per prompt: its framing plus its remembered texts' counts, and the
    // others with the keys to remember them by. Made only when some text is not remembered.
    let rest: { i: number; left: Unremembered }[] | undefined;
    let chars = 0;
    for (let i = 0; i < prompts.length; i++) {
      const p = prompts[i]!;
      const atLeast = minPromptTokens(p);
      if (atLeast > stopAbove) {
        out[i] = { tokens: atLeast, exact: false };
        continue;
      }
      // Generated output is not asked for again: neither hashed nor kept (it would push prompts out).
      const left = opts?.remember === false ? { prompt: p, keys: [] } : this.remembered(p);
      if (typeof left === 'number') {
        // Every text remembered: the framing plus their counts is the count (countPrompt of no texts).
        out[i] = { tokens: left, exact: left <= stopAbove };
        continue;
      }
      (rest ??= []).push({ i, left });
      for (const t of left.prompt.texts) chars += t.length;
    }
    if (rest === undefined) return out as Counted[];
    const counted = chars <= this.inlineChars || !this.pool ? rest.map((r) => countPrompt(r.left.prompt, stopAbove)) : await this.pool.run({ prompts: rest.map((r) => r.left.prompt), stopAbove });
    rest.forEach(({ i, left }, k) => {
      const c = counted[k]!;
      c.texts?.forEach((tokens, j) => {
        const key = left.keys[j];
        if (key !== undefined) this.known!.set(key, tokens);
      });
      out[i] = { tokens: c.tokens, exact: c.exact };
    });
    return out as Counted[];
  }

  /**
   * `p` with its remembered texts' counts moved into its framing, and for each text left the key
   * to remember its count by (undefined: not remembered). Each text is hashed once. When every
   * text is remembered, only the resulting count (nothing is allocated for what is left).
   */
  private remembered(p: PromptText): Unremembered | number {
    const known = this.known;
    if (!known) return { prompt: p, keys: [] };
    let fixed = p.fixed;
    let texts: string[] | undefined;
    let keys: (string | undefined)[] | undefined;
    for (const t of p.texts) {
      if (t.length === 0) continue;
      // Only a short text can be a role name: a long one is not hashed for the look-up.
      const key = t.length < MIN_MEMO_CHARS ? ROLE_KEYS.get(t) : t.length > MAX_MEMO_CHARS ? undefined : textKey(t);
      const n = key === undefined ? undefined : known.get(key);
      if (n !== undefined) {
        fixed += n;
        continue;
      }
      (texts ??= []).push(t);
      (keys ??= []).push(key);
    }
    return texts === undefined ? fixed : { prompt: { fixed, texts }, keys: keys! };
  }

  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }
}

/** A prompt's texts not remembered, with the keys to remember their counts by (`keys[j]` for `prompt.texts[j]`). */
interface Unremembered {
  prompt: PromptText;
  keys: (string | undefined)[];
}

/**
 * The chat roles, remembered by name. Each message's role is one of its texts, too short to be
 * worth a hash, so it was tokenized on every request (about 1% of a request's CPU); a role name
 * is no prompt text, so it is its own key. `role:` keys never meet a hash's (base64, no colon).
 */
const ROLE_KEYS: ReadonlyMap<string, string> = new Map(['system', 'developer', 'user', 'assistant', 'tool', 'function'].map((r) => [r, `role:${r}`]));

/** What a text is remembered by (base64: the shortest of crypto.hash's encodings). */
const textKey = (text: string): string => hash('sha256', text, 'base64');

let shared: PromptCounter | undefined;

/** A process-wide counter for code that has none injected (created on first use). */
export function defaultPromptCounter(): PromptCounter {
  return (shared ??= new PromptCounter());
}

/**
 * The worker script: next to this module when running the build; when running from the
 * TypeScript sources (tests), the built copy if there is one, else none (everything is counted
 * inline).
 */
function workerFile(): URL | undefined {
  const here = new URL('./count-worker.js', import.meta.url);
  if (existsSync(here)) return here;
  const built = new URL('../../dist/tokens/count-worker.js', import.meta.url);
  return existsSync(built) ? built : undefined;
}

/** A fixed set of workers, each counting one job at a time, fed from one FIFO queue. */
class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  private started = false;

  constructor(
    private readonly file: URL,
    private readonly size: number,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
  }

  run(job: CountJob): Promise<Counted[]> {
    if (this.closed) return Promise.resolve(job.prompts.map((p) => countPrompt(p, job.stopAbove)));
    this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    // The vocabulary table is shared with the worker, not loaded again in it.
    const w = new Worker(this.file, { workerData: workerShare() });
    // The pool must not keep a process alive that is otherwise done.
    w.unref();
    w.on('message', (reply: CountReply & { id: number }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (p) {
        if ('error' in reply) p.reject(new Error(`token counting failed: ${reply.error}`));
        else p.resolve(reply.counts);
      }
      this.dispatch();
    });
    // A worker that dies (out of memory, a bug) fails its job, not the gateway; a new one replaces it.
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`token counting worker exited with code ${code}`)));
    return w;
  }

  private lost(w: Worker, e: Error): void {
    const p = this.busy.get(w);
    this.busy.delete(w);
    const at = this.idle.indexOf(w);
    if (at !== -1) this.idle.splice(at, 1);
    p?.reject(e);
    if (this.closed || (at === -1 && !p)) return;
    this.idle.push(this.spawn());
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage({ id: this.nextId++, ...p.job });
    }
  }
}
