import { describe, expect, it } from 'vitest';
import { measureFairness } from '../../../../bench/fairness-measure.js';

describe('measureFairness (real time, well under 5 s)', () => {
  it('reports the light org served early under a flood, and finite waits', async () => {
    const m = await measureFairness();
    // Counts, not times: B's 20 requests are granted within the first ~40 grants of 220.
    expect(m.lightLastGrantIndex).toBeLessThanOrEqual(42);
    for (const v of [m.lightAloneMedianWaitMs, m.lightUnderFloodMedianWaitMs, m.lightUnderFloodFifoMedianWaitMs, m.heavyMedianWaitMs]) {
      expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
    console.log('fairness measurement', JSON.stringify(m));
  });
});
