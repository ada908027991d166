/** Issue 10, item 7: the reserved output bound goes upstream in the field each endpoint reads. */
import { describe, expect, it } from 'vitest';
import { withOutputBound } from '../../src/pipeline/output-bound.js';
import { responsesToChat } from '../../src/responses/to-chat.js';

const bound = (endpoint: 'chat.completions' | 'completions' | 'responses' | 'embeddings', body: Record<string, unknown>) =>
  withOutputBound({ endpoint, body, outputBound: 300 });

describe('withOutputBound', () => {
  it('chat: sets max_tokens when the caller set no cap; keeps max_tokens or max_completion_tokens as sent', () => {
    expect(bound('chat.completions', { model: 'm' }).max_tokens).toBe(300);
    expect(bound('chat.completions', { model: 'm', max_tokens: null }).max_tokens).toBe(300);
    expect(bound('chat.completions', { model: 'm', max_tokens: 20 })).toEqual({ model: 'm', max_tokens: 20 });
    expect(bound('chat.completions', { model: 'm', max_completion_tokens: 20 })).toEqual({ model: 'm', max_completion_tokens: 20 });
  });

  it('completions: max_tokens', () => {
    expect(bound('completions', { model: 'm', prompt: 'x' }).max_tokens).toBe(300);
    expect(bound('completions', { model: 'm', prompt: 'x', max_tokens: 16 }).max_tokens).toBe(16);
  });

  it('responses: max_output_tokens on pass-through, and max_tokens in the translated chat body', () => {
    const b = bound('responses', { model: 'm', input: 'hi' });
    expect(b.max_output_tokens).toBe(300);
    expect(responsesToChat(b).max_tokens).toBe(300);
    expect(bound('responses', { model: 'm', input: 'hi', max_output_tokens: 64 }).max_output_tokens).toBe(64);
  });

  it('embeddings: unchanged', () => {
    expect(bound('embeddings', { model: 'e', input: 'x' })).toEqual({ model: 'e', input: 'x' });
  });
});
