/**
 * The prompts a legacy completion with `echo: true` may find at the start of its choices' text,
 * for the output count of an engine that reported no usage (an echoed prompt is prompt, not
 * output: OpenAI's usage is the same with and without echo).
 * @module
 */

/** The prompt choice `index` may begin with, or undefined when nothing is to be taken off it. */
export type EchoOf = (index: number) => string | undefined;

/**
 * The echo of each choice of `v`, or undefined when none is asked (not a legacy completion, or
 * `echo` is not true). Choices come `n` per prompt, numbered prompt by prompt (OpenAI's order), so
 * choice `index` answers prompt `floor(index / n)`. Only string prompts (one, or an array of them)
 * have an echo here: a token-array prompt is echoed as the engine's tokenizer decodes it, which
 * the gateway does not know, so its choices are counted whole (never less than was generated).
 */
export function echoedPrompts(v: { endpoint: string; body: Record<string, unknown>; n: number }): EchoOf | undefined {
  if (v.endpoint !== 'completions' || v.body.echo !== true) return undefined;
  const prompt = v.body.prompt;
  if (typeof prompt === 'string') return () => prompt;
  if (!Array.isArray(prompt)) return undefined;
  const n = Math.max(1, v.n);
  return (index) => {
    const p: unknown = prompt[Math.floor(index / n)];
    return typeof p === 'string' ? p : undefined;
  };
}
