/**
 * The human form of an API object (`requests show`, the organization verbs' get and create):
 * every field the answer has, whatever it is, so that a field an endpoint gains is shown too.
 */
import { describe, expect, it } from 'vitest';
import { objectFields } from '../../src/cli/admin/format.js';

describe('objectFields', () => {
  it('prints every field: nested as parent.child, Unix-second *_at as times, lists, empty objects; object and omitted fields left out', () => {
    const text = objectFields(
      {
        object: 'organization.request',
        id: 'req_1',
        created_at: 1_700_000_000,
        finished_at: 'later',
        error: { code: 'rate_limit_exceeded', message: 'Slow down', object: 'error' },
        usage: { input_tokens: 8, details: { cached_tokens: 0 } },
        tags: ['a', 'b'],
        attempts: [{ model: 'sim-small', status_code: 429 }],
        extra: {},
        upstream_request_id: null,
        value: 'secret',
      },
      ['value'],
    );
    const lines = text.split('\n').filter(Boolean);
    // Values start in one column, after the longest name.
    expect(new Set(lines.map((l) => l.length - l.slice(l.indexOf(':') + 1).trimStart().length))).toEqual(new Set(['usage.details.cached_tokens: '.length]));
    expect(lines.map((l) => l.replace(/:\s+/, ': '))).toEqual([
      'id: req_1',
      'created_at: 2023-11-14T22:13:20Z',
      'finished_at: later',
      'error.code: rate_limit_exceeded',
      'error.message: Slow down',
      'usage.input_tokens: 8',
      'usage.details.cached_tokens: 0',
      'tags: a,b',
      'attempts: [{"model":"sim-small","status_code":429}]',
      'extra: {}',
      'upstream_request_id: -',
    ]);
  });
});
