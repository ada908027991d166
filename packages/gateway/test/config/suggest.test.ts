/** The "did you mean" of a misspelt config key: the keys declared at its place, and which is near enough. */
import { describe, expect, it } from 'vitest';
import { closestKey, editDistance, keysAt } from '../../src/config/suggest.js';
import { configSchema } from '../../src/config/schema.js';

describe('editDistance', () => {
  it('counts insertions, deletions, replacements and swaps of neighbours as one edit each', () => {
    expect(editDistance('url', 'url')).toBe(0);
    expect(editDistance('ulr', 'url')).toBe(1);
    expect(editDistance('limts', 'limits')).toBe(1);
    expect(editDistance('modles', 'models')).toBe(1);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
  });
});

describe('closestKey', () => {
  it('the nearest key within a third of the length (1 to 3 edits), case ignored; the first on a tie', () => {
    expect(closestKey('ulr', ['url', 'cluster_nodes', 'key_prefix'])).toBe('url');
    expect(closestKey('URL', ['url'])).toBe('url');
    expect(closestKey('colour', ['host', 'port'])).toBeUndefined();
    expect(closestKey('ab', ['ac', 'ad'])).toBe('ac');
    expect(closestKey('max_images_per_1_minute', ['max_tokens_per_1_minute'])).toBeUndefined();
  });

  it('an alias stands for its key, if the key is known there', () => {
    expect(closestKey('limts', ['tiers', 'models'], { limits: 'tiers' })).toBe('tiers');
    expect(closestKey('limts', ['models'], { limits: 'tiers' })).toBeUndefined();
  });
});

describe('keysAt', () => {
  it("reads the keys declared at a place of the config, through lists, records, defaults and transforms", () => {
    expect(keysAt(configSchema, ['redis'])).toEqual(['url', 'cluster_nodes', 'key_prefix']);
    expect(keysAt(configSchema, [])).toContain('tiers');
    expect(keysAt(configSchema, ['models', 3, 'deployments', 0, 'timeouts'])).toEqual(['connect_ms', 'first_byte_ms', 'idle_ms', 'total_ms']);
    expect(keysAt(configSchema, ['tiers', 'any-tier', 'any-model'])).toContain('max_requests_per_1_minute');
    expect(keysAt(configSchema, ['models', 0, 'deployments', 0, 'headers'])).toEqual([]);
    expect(keysAt(configSchema, ['nowhere'])).toEqual([]);
  });
});
