/**
 * What a project's rate-limit row sends when saved: a new value, null for a value of the project's
 * own that was cleared (the organization's limit applies again), nothing for a field left as it was.
 */
import { describe, expect, it } from 'vitest';
import { limitChanges, type OwnLimits } from '../src/lib/limit-changes.js';

const ORG = { max_requests_per_1_minute: 50, max_tokens_per_1_minute: 40_000, max_requests_per_1_day: null, max_tokens_per_1_day: null };
const row: OwnLimits = {
  ...ORG,
  max_requests_per_1_minute: 5,
  overridden_fields: ['max_requests_per_1_minute'],
  organization_limits: ORG,
};
const typed = (values: Partial<Record<string, string>>) => (field: string) => values[field] ?? '';

describe("a project's rate-limit row", () => {
  it('sends nothing when every field is as shown: its own value kept, the others left empty', () => {
    expect(limitChanges(row, typed({ max_requests_per_1_minute: '5' }))).toEqual({});
    expect(limitChanges(row, typed({ max_requests_per_1_minute: ' 5 ' }))).toEqual({});
  });

  it("sends null for a cleared value of the project's own, and only for one", () => {
    expect(limitChanges(row, typed({}))).toEqual({ max_requests_per_1_minute: null });
  });

  it("sends a changed value, and a value typed where the organization's applied", () => {
    expect(limitChanges(row, typed({ max_requests_per_1_minute: '4', max_tokens_per_1_minute: '40000', max_requests_per_1_day: '0' }))).toEqual({
      max_requests_per_1_minute: 4,
      max_tokens_per_1_minute: 40_000,
      max_requests_per_1_day: 0,
    });
  });
});
