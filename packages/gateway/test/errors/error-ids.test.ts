/**
 * Catalog ids are a type: `tsc -p tsconfig.test.json` (part of `npm test`) compiles this file, and
 * each `@ts-expect-error` below fails the build if the misspelt id it marks were ever accepted.
 */
import { describe, expect, it } from 'vitest';
import { entry, isErrorId, type ErrorId } from '@tollgate/protocol';
import { ApiError } from 'tollgate';

describe('catalog ids', () => {
  it('a misspelt id does not compile, and fails at once if forced through', () => {
    // @ts-expect-error 'rate_limit_tokns' is not a catalog id
    expect(() => new ApiError('rate_limit_tokns')).toThrow("error catalog: no entry 'rate_limit_tokns'");
    // @ts-expect-error 'server_eror' is not a catalog id
    expect(() => entry('server_eror')).toThrow("error catalog: no entry 'server_eror'");
    // @ts-expect-error an id is not any string
    const id: ErrorId = 'not_an_id';
    expect(isErrorId(id)).toBe(false);
  });

  it('a real id compiles and names its entry', () => {
    const e = new ApiError('rate_limit_tokens');
    expect(e.entry.id).toBe('rate_limit_tokens');
    expect(isErrorId('rate_limit_tokens')).toBe(true);
  });
});
