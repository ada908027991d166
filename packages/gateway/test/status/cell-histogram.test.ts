/**
 * A CellHistogram renders at /metrics exactly what a prom-client histogram fed the same
 * observations renders: buckets, counts and float sums, for every series.
 */
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CellHistogram } from '../../src/status/cell-histogram.js';

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120];
const NAME = 'test_duration_seconds';
const HELP = 'A histogram under test.';

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const cells = new CellHistogram(ours, NAME, HELP, ['path'], BUCKETS);
  const reference = new Histogram({ name: NAME, help: HELP, labelNames: ['path'], buckets: BUCKETS, registers: [theirs] });
  return { ours, theirs, cells, reference };
}

const value = fc.oneof(fc.constantFrom(...BUCKETS, 0, -1, 120.0001, 1e9), fc.double({ min: -10, max: 200, noNaN: true }));

describe('CellHistogram', () => {
  it('renders what prom-client renders for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('/v1/chat/completions', '/v1/embeddings', 'other'), value), { maxLength: 200 }), async (observations) => {
        const { ours, theirs, cells, reference } = pair();
        for (const [path, v] of observations) {
          cells.cell(path, { path }).observe(v);
          reference.observe({ path }, v);
        }
        const expected = await theirs.metrics();
        expect(await ours.metrics()).toBe(expected);
        // Reading again changes nothing.
        expect(await ours.metrics()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('goes on counting after a read', async () => {
    const { ours, theirs, cells, reference } = pair();
    for (const v of [0.002, 0.2, 3]) {
      cells.cell('a', { path: 'a' }).observe(v);
      reference.observe({ path: 'a' }, v);
      expect(await ours.metrics()).toBe(await theirs.metrics());
    }
    expect(await ours.metrics()).toContain(`${NAME}_count{path="a"} 3`);
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const { cells, reference } = pair();
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(() => cells.cell('a', { path: 'a' }).observe(v)).toThrow(TypeError);
      expect(() => reference.observe({ path: 'a' }, v)).toThrow(TypeError);
    }
  });
});
