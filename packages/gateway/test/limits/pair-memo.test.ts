import { describe, expect, it } from 'vitest';
import { pairMemo } from '../../src/limits/pair-memo.js';

describe('pairMemo', () => {
  it('makes a pair once and answers the same object after, whichever pairs come between', () => {
    let made = 0;
    const names = pairMemo(100, (scope: string, model: string) => (made++, [`${scope}:${model}`]));
    const first = names('org', 'gpt-4o');
    expect(names('org', 'gpt-4o-mini')).toEqual(['org:gpt-4o-mini']);
    expect(names('key:k1', 'gpt-4o')).toEqual(['key:k1:gpt-4o']);
    expect(names('org', 'gpt-4o')).toBe(first);
    expect(made).toBe(3);
  });

  it('holds at most `max` values: the next new pair empties it, and what it held is made again', () => {
    let made = 0;
    const memo = pairMemo(2, (a: number, b: number) => (made++, { sum: a + b }));
    const one = memo(1, 1);
    memo(1, 2);
    expect(made).toBe(2);
    memo(2, 1); // a third value: the memo starts over with it
    expect(made).toBe(3);
    expect(memo(2, 1).sum).toBe(3);
    expect(made).toBe(3);
    const again = memo(1, 1);
    expect(made).toBe(4);
    expect(again).not.toBe(one);
    expect(again).toEqual(one);
  });
});
