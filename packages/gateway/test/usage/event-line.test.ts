/**
 * A usage event's journal line is the JSON of the event with its cost as a decimal string, in the
 * event's field order (the bytes the journal has always held), and it parses back to the same event.
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
  it('writes the journal line of a fixed event byte for byte', () => {
    const e = parseUsageEvent({
      request_id: 'req_1',
      org_id: 'org_1',
      project_id: null,
      key_id: 'key_1',
      user_id: 'user_1',
      model: 'm',
      requested_model: 'm-alias',
      endpoint: 'chat.completions',
      prompt_tokens: 12,
      cached_tokens: 3,
      completion_tokens: 40,
      cost_pico: 1_234_000n,
      status_code: 200,
      error_code: null,
      error_message: 'a "quoted"\nline',
      upstream_request_id: null,
      streamed: true,
      latency_ms: 250,
      estimated: false,
      created_at: 1_700_000_000_000,
    });
    if (typeof e === 'string') throw new Error(e);
    expect(serializeUsageEvent(e)).toBe(
      '{"request_id":"req_1","org_id":"org_1","project_id":null,"key_id":"key_1","user_id":"user_1","model":"m",' +
        '"requested_model":"m-alias","endpoint":"chat.completions","prompt_tokens":12,"cached_tokens":3,"completion_tokens":40,' +
        '"cost_pico":"1234000","status_code":200,"error_code":null,"error_message":"a \\"quoted\\"\\nline","upstream_request_id":null,' +
        '"streamed":true,"latency_ms":250,"estimated":false,"created_at":1700000000000}',
    );
  });

  it('parses back to the event it was written from', () => {
    fc.assert(
      fc.property(eventArb, (raw) => {
        const e = parseUsageEvent(raw);
        if (typeof e === 'string') throw new Error(e);
        const line = serializeUsageEvent(e);
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

describe('parseUsageEvent of an event in its stored form', () => {
  it('keeps such an event as given, and copies one with another field (dropped) or a field to clip', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        const stored = e.requested_model === null || e.requested_model.length <= 256 ? e.error_message === null || e.error_message.length <= 1000 : false;
        const parsed = parseUsageEvent(e);
        if (stored) expect(parsed).toBe(e);
        else expect(parsed).not.toBe(e);
        const extra = parseUsageEvent({ ...e, extra: 1 });
        expect(extra).not.toHaveProperty('extra');
        expect(extra).toEqual(parsed);
        const { cached_tokens: _cached, ...withoutCached } = e;
        expect(parseUsageEvent(withoutCached)).toEqual({ ...e, cached_tokens: 0 });
      }),
    );
  });
});
