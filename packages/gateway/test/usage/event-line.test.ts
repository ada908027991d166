/**
 * A usage event's journal line is the JSON of the event with its cost as a decimal string, byte
 * for byte what JSON.stringify made of it, and it parses back to the same event.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUsageEvent, serializeUsageEvent, type UsageEvent } from '../../src/usage/event.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '"', '\\', '\n\t\u0000\u001f', '\u2028\u2029', 'é€😀', '\ud800'));
const maybe = fc.option(text, { nil: null });
const count = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, 1, 2 ** 31, Number.MAX_SAFE_INTEGER));

const eventArb: fc.Arbitrary<UsageEvent> = fc.record({
  request_id: text.filter((s) => s.length > 0),
  org_id: text,
  project_id: maybe,
  key_id: text,
  user_id: text,
  model: text,
  requested_model: maybe,
  endpoint: text,
  prompt_tokens: count,
  cached_tokens: count,
  completion_tokens: count,
  cost_pico: fc.bigInt({ min: 0n, max: 9_999_999_999_999_999_999n }),
  status_code: fc.integer({ min: 100, max: 599 }),
  error_code: maybe,
  error_message: maybe,
  upstream_request_id: maybe,
  streamed: fc.boolean(),
  latency_ms: count,
  estimated: fc.boolean(),
  created_at: count,
});

describe('serializeUsageEvent', () => {
  it('writes what JSON.stringify wrote of the parsed event, and it parses back to it', () => {
    fc.assert(
      fc.property(eventArb, (raw) => {
        const e = parseUsageEvent(raw);
        if (typeof e === 'string') throw new Error(e);
        const line = serializeUsageEvent(e);
        expect(line).toBe(JSON.stringify({ ...e, cost_pico: e.cost_pico.toString() }));
        expect(parseUsageEvent(JSON.parse(line))).toEqual(e);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the cost exact past 2^53', () => {
    const e = parseUsageEvent({ ...fc.sample(eventArb, 1)[0], cost_pico: 9_007_199_254_740_993_123n });
    if (typeof e === 'string') throw new Error(e);
    expect(serializeUsageEvent(e)).toContain('"cost_pico":"9007199254740993123"');
  });
});
