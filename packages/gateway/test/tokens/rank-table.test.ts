/**
 * The flat o200k_base table (tokens/rank-table.ts) against the tokenizer library's own ranks:
 * every token of the vocabulary is found with its rank, wherever it sits in a string; bytes that
 * are not a token are not found; a worker thread's view of the shared buffer answers the same.
 */
import { Worker } from 'node:worker_threads';
import bpeRanks from 'gpt-tokenizer/esm/bpeRanks/o200k_base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRankTable, o200kRanks, RankTable, workerShare } from '../../src/tokens/rank-table.js';

/** The library's tokens as binary strings (one char per byte). */
const tokens = bpeRanks.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('latin1') : String.fromCharCode(...v)));
const vocabulary = new Map(tokens.map((t, rank) => [t, rank]));

describe('the o200k_base rank table', () => {
  const table = o200kRanks();

  it('finds every token of the library with its rank, alone or inside other bytes', () => {
    expect(table.count).toBe(tokens.length);
    expect(table.longest).toBe(128);
    const wrong = tokens.filter((t, rank) => table.rank(t, 0, t.length) !== rank || table.rank(`\u00ff${t}\u0000`, 1, t.length + 1) !== rank);
    expect(wrong).toEqual([]);
  });

  it('finds nothing that is not a token', () => {
    const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map((b) => String.fromCharCode(...b));
    fc.assert(
      fc.property(bytes, (s) => table.rank(s, 0, s.length) === (vocabulary.get(s) ?? -1)),
      { numRuns: 2000 },
    );
    expect(table.rank('abc', 1, 1)).toBe(-1);
    expect(table.rank('a'.repeat(200), 0, 200)).toBe(-1);
  });

  it('reads the same from its shared buffer in a worker thread', async () => {
    const probe = tokens.filter((_, rank) => rank % 997 === 0);
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      parentPort.postMessage(workerData.buffer);
    `;
    const w = new Worker(source, { eval: true, workerData: { buffer: workerShare().tollgateO200kRanks } });
    const buffer = await new Promise<SharedArrayBuffer>((resolve) => w.once('message', resolve));
    await w.terminate();
    // The very same memory: a SharedArrayBuffer crosses threads without a copy.
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    const seen = new RankTable(buffer);
    for (const t of probe) expect(seen.rank(t, 0, t.length)).toBe(vocabulary.get(t));
  });

  it('refuses a vocabulary file it cannot read', () => {
    expect(() => buildRankTable(Buffer.from('IQ== 0\nIg==\n'))).toThrow(/line 2/);
    expect(() => buildRankTable(Buffer.from('IQ== 0\nI*== 1\n'))).toThrow(/not base64/);
    expect(() => buildRankTable(Buffer.from('IQ== 0\nIg== 0\n'))).toThrow(/repeated/);
    const small = buildRankTable(Buffer.from('IQ== 0\nIg== 1\nISI= 2\n'));
    expect([small.rank('!', 0, 1), small.rank('"', 0, 1), small.rank('!"', 0, 2), small.rank('"!', 0, 2)]).toEqual([0, 1, 2, -1]);
  });
});
