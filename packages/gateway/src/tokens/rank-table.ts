/**
 * o200k_base's vocabulary (token bytes → rank) as one flat table in a SharedArrayBuffer.
 *
 * As a JavaScript Map of 200,000 strings the vocabulary took about 20 MB of heap per thread, and
 * more of resident memory, with the tokenizer library's generated module (its source and its
 * array literals) kept alive next to it; every token-counting worker thread held its own copy.
 * This table is about 4 MB, built once per process from the library's data file and handed to the
 * worker threads as is (shared memory, no copy). A lookup hashes the bytes in place: it needs no
 * slice of the input, so it allocates nothing.
 *
 * Layout (32-bit words, then bytes): [count, longest], offsets[count + 1] (token r's bytes are
 * bytes[offsets[r] .. offsets[r + 1])), slots[SLOTS] (open addressing, linear probing: rank + 1,
 * 0 when empty), then the token bytes.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread, workerData } from 'node:worker_threads';

/** Power of two, over twice the vocabulary: probes stay short. */
const SLOTS = 1 << 19;
const HEADER_WORDS = 2;

export class RankTable {
  /** Tokens in the vocabulary. */
  readonly count: number;
  /** Bytes of the longest token. */
  readonly longest: number;
  private readonly offsets: Uint32Array;
  private readonly slots: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    const header = new Uint32Array(buffer, 0, HEADER_WORDS);
    this.count = header[0]!;
    this.longest = header[1]!;
    this.offsets = new Uint32Array(buffer, HEADER_WORDS * 4, this.count + 1);
    this.slots = new Int32Array(buffer, (HEADER_WORDS + this.count + 1) * 4, SLOTS);
    this.bytes = new Uint8Array(buffer, (HEADER_WORDS + this.count + 1 + SLOTS) * 4);
  }

  /**
   * The rank of the token whose bytes are `s[from, to)` (a binary string: one char per byte,
   * 0–255), or -1 when those bytes are not a token.
   */
  rank(s: string, from: number, to: number): number {
    const len = to - from;
    if (len <= 0 || len > this.longest) return -1;
    let slot = hashOf(s, from, to) & (SLOTS - 1);
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const r = entry - 1;
      const start = this.offsets[r]!;
      if (this.offsets[r + 1]! - start === len && this.equals(start, s, from, len)) return r;
      slot = (slot + 1) & (SLOTS - 1);
    }
  }

  private equals(start: number, s: string, from: number, len: number): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < len; i++) if (bytes[start + i] !== s.charCodeAt(from + i)) return false;
    return true;
  }
}

/** FNV-1a over the chars of s[from, to). */
function hashOf(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The same hash over bytes[from, to) (a binary string's chars are its bytes). */
function hashOfBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SIXBITS = Int8Array.from({ length: 256 }, (_, c) => BASE64.indexOf(String.fromCharCode(c)));
const SPACE = 0x20;
const NEWLINE = 0x0a;
const ZERO = 0x30;

/**
 * Builds the table from a `.tiktoken` file: one `base64-of-token-bytes rank` per line. Parsed
 * byte by byte into typed arrays, so that building it leaves no garbage of 200,000 strings
 * behind to raise the heap's high-water mark.
 */
export function buildRankTable(file: Uint8Array): RankTable {
  // Decoded bytes are shorter than their base64: the file's size bounds them all.
  const scratch = new Uint8Array(file.length);
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  let longest = 0;
  let line = 0;
  for (let i = 0; i < file.length; ) {
    line++;
    const start = at;
    let bits = 0;
    let nbits = 0;
    for (; i < file.length && file[i] !== SPACE; i++) {
      const c = file[i]!;
      if (c === 0x3d) continue; // '=' padding
      const v = SIXBITS[c]!;
      if (v < 0) throw new Error(`vocabulary line ${line}: not base64`);
      bits = ((bits << 6) | v) & 0xffffff;
      nbits += 6;
      if (nbits >= 8) {
        nbits -= 8;
        scratch[at++] = (bits >> nbits) & 0xff;
      }
    }
    i++; // the space
    let rank = 0;
    let digits = 0;
    for (; i < file.length && file[i] !== NEWLINE; i++, digits++) {
      const d = file[i]! - ZERO;
      if (d < 0 || d > 9) throw new Error(`vocabulary line ${line}: bad rank`);
      rank = rank * 10 + d;
    }
    i++; // the newline
    if (digits === 0 || at === start || starts[rank] !== undefined) throw new Error(`vocabulary line ${line}: bad or repeated rank`);
    starts[rank] = start;
    ends[rank] = at;
    longest = Math.max(longest, at - start);
  }
  const count = starts.length;
  if (count * 2 > SLOTS) throw new Error(`vocabulary of ${count} tokens does not fit the table`);
  const buffer = new SharedArrayBuffer((HEADER_WORDS + count + 1 + SLOTS) * 4 + at);
  const header = new Uint32Array(buffer, 0, HEADER_WORDS);
  header[0] = count;
  header[1] = longest;
  const offsets = new Uint32Array(buffer, HEADER_WORDS * 4, count + 1);
  const slots = new Int32Array(buffer, (HEADER_WORDS + count + 1) * 4, SLOTS);
  const bytes = new Uint8Array(buffer, (HEADER_WORDS + count + 1 + SLOTS) * 4);
  let pos = 0;
  for (let r = 0; r < count; r++) {
    offsets[r] = pos;
    // A rank missing from the file is an empty token: never found, so never counted.
    if (starts[r] === undefined) continue;
    const from = pos;
    for (let i = starts[r]; i < ends[r]!; i++) bytes[pos++] = scratch[i]!;
    let slot = hashOfBytes(bytes, from, pos) & (SLOTS - 1);
    while (slots[slot] !== 0) slot = (slot + 1) & (SLOTS - 1);
    slots[slot] = r + 1;
  }
  offsets[count] = pos;
  return new RankTable(buffer);
}

/** Where a worker thread finds the table its parent shares with it (see `workerShare`). */
const WORKER_DATA_KEY = 'tollgateO200kRanks';

let o200k: RankTable | undefined;

/**
 * The process's o200k_base table: in a worker thread started with `workerShare()`, the parent's
 * (shared, not copied); otherwise built from the tokenizer library's data file on first use.
 */
export function o200kRanks(): RankTable {
  if (o200k) return o200k;
  const shared: unknown = isMainThread ? undefined : (workerData as Record<string, unknown> | null)?.[WORKER_DATA_KEY];
  if (shared instanceof SharedArrayBuffer) return (o200k = new RankTable(shared));
  const file = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
  return (o200k = buildRankTable(readFileSync(file)));
}

/** `workerData` that hands this process's table to a worker thread. */
export function workerShare(): Record<string, SharedArrayBuffer> {
  return { [WORKER_DATA_KEY]: o200kRanks().buffer };
}
