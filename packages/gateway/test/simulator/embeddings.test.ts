import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { countEmbeddingInput } from '../../src/tokens/count.js';
import { DEFAULT_DIMENSIONS, SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, json, simModel } from './helpers.js';

const engine = (seed = 0) => new SimulatorEngine(simModel({ seed }, { name: 'sim-embed', type: 'embedding' }), { clock: new FakeClock() });
const embed = async (body: Record<string, unknown>, seed = 0) => json(await engine(seed).call(call('embeddings', { model: 'sim-embed', ...body })));
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const fromBase64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(i * 4));
};

describe('simulator: embeddings', () => {
  it('returns unit vectors of 1536 dimensions in the OpenAI list shape', async () => {
    const r = await embed({ input: 'hello world' });
    expect(Object.keys(r)).toEqual(['object', 'data', 'model', 'usage']);
    expect(r).toMatchObject({ object: 'list', model: 'sim-embed', usage: { prompt_tokens: countEmbeddingInput('hello world'), total_tokens: countEmbeddingInput('hello world') } });
    expect(r.data).toHaveLength(1);
    expect(Object.keys(r.data[0])).toEqual(['object', 'index', 'embedding']);
    expect(r.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(r.data[0].embedding).toHaveLength(DEFAULT_DIMENSIONS);
    expect(norm(r.data[0].embedding)).toBeCloseTo(1, 5);
  });

  it('honours dimensions; a shorter vector points the way the long one starts', async () => {
    for (const dimensions of [1, 2, 3, 256, 3072]) {
      const r = await embed({ input: 'dims', dimensions });
      expect(r.data[0].embedding).toHaveLength(dimensions);
      expect(norm(r.data[0].embedding)).toBeCloseTo(1, 5);
    }
    const long = (await embed({ input: 'dims' })).data[0].embedding as number[];
    const short = (await embed({ input: 'dims', dimensions: 256 })).data[0].embedding as number[];
    const head = long.slice(0, 256);
    const cos = head.reduce((s, x, i) => s + x * short[i]!, 0) / norm(head);
    expect(cos).toBeCloseTo(1, 5);
  });

  it('is deterministic per input and model seed, and different inputs point elsewhere', async () => {
    const a = (await embed({ input: 'alpha' })).data[0].embedding;
    expect((await embed({ input: 'alpha' })).data[0].embedding).toEqual(a);
    const b = (await embed({ input: 'beta' })).data[0].embedding as number[];
    const c = (await embed({ input: 'alpha' }, 9)).data[0].embedding as number[];
    for (const other of [b, c]) {
      const cos = other.reduce((s: number, x: number, i: number) => s + x * a[i], 0);
      expect(Math.abs(cos)).toBeLessThan(0.2);
    }
  });

  it('base64 is the same float32 values, little-endian', async () => {
    const floats = (await embed({ input: 'enc', dimensions: 64 })).data[0].embedding;
    const b64 = (await embed({ input: 'enc', dimensions: 64, encoding_format: 'base64' })).data[0].embedding;
    expect(typeof b64).toBe('string');
    expect(fromBase64(b64)).toEqual(floats);
  });

  it('accepts strings, a token array and token arrays, one vector per input', async () => {
    for (const input of [['a', 'b', 'c'], [1, 2, 3], [[1, 2], [3, 4, 5]]]) {
      const r = await embed({ input, dimensions: 8 });
      const expected = typeof input[0] === 'number' ? 1 : input.length;
      expect(r.data.map((d: any) => d.index)).toEqual([...Array(expected).keys()]);
      expect(r.usage.prompt_tokens).toBe(countEmbeddingInput(input));
    }
  });
});
