/**
 * A spend limit refuses a request whose worst case (its prompt and every output token it may
 * produce) would pass what is left, so an organization that has spent $0.0002 of a $0.01 limit is
 * refused a sim-large call with max_tokens 4000 while a smaller call passes. The message is
 * OpenAI's 'You exceeded your current quota', and the fixes said only to raise the limit or wait
 * for next month: a caller far below the limit was not told that asking for less output is enough.
 */
import { describe, expect, it } from 'vitest';
import { entry } from '@tollgate/protocol';

describe('the spend limits’ fixes', () => {
  it.each(['insufficient_quota', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded'] as const)('%s says a smaller request may fit', (id) => {
    const e = entry(id);
    expect(e.fix.en).toContain("it is this request's worst case that does not fit: ask for less output (max_tokens");
    expect(e.fix['zh-CN']).toContain('请减少输出（max_tokens');
  });
});
