import { describe, expect, it } from 'vitest';
import type { AccessControl } from '../../src/pipeline/types.js';
import { credentialFrom } from '../../src/identity/bearer.js';
import type { Principal } from 'tollgate';
import type { Identity } from '../../src/identity/index.js';

describe('credentialFrom', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Bearer    ', undefined],
    ['Bearer sk-abc', 'sk-abc'],
    ['bearer   sk-abc  ', 'sk-abc'],
    ['Token sk-abc', undefined],
    [`Basic ${Buffer.from(':sk-abc').toString('base64')}`, 'sk-abc'],
    [`Basic ${Buffer.from('sk-abc').toString('base64')}`, undefined],
    [`Basic ${Buffer.from('user:').toString('base64')}`, undefined],
  ])('%j → %j', (header, expected) => {
    expect(credentialFrom(header)).toBe(expected);
  });
});

describe('contract', () => {
  it("Identity is the pipeline's AccessControl", () => {
    // Compile-time check (tsc -p tsconfig.test.json): fails to type-check if the shapes drift.
    const asAccess = (i: Identity): AccessControl<Principal> => i;
    expect(typeof asAccess).toBe('function');
  });
});
