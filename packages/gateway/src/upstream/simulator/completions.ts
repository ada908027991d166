/** Legacy completions: `text_completion` bodies and streams (no role chunk, `text` per choice). */
import { countCompletionPrompt } from '../../tokens/count.js';
import { chunked, chunkOf, choiceCount, interleave, usageOf, type Answer, type AnswerContext, type Frame } from './answer.js';
import { generate, outputCap, stopSequences, type Generated } from './generate.js';
import { seedFrom } from './random.js';

/** The prompts of a request: one string, strings, one token array, or token arrays. */
function prompts(prompt: unknown): unknown[] {
  if (Array.isArray(prompt) && prompt.length > 0 && !prompt.every((x) => typeof x === 'number')) return prompt;
  return [prompt ?? ''];
}

export function completionAnswer(body: Record<string, unknown>, ctx: AnswerContext): Answer {
  const promptTokens = ctx.promptTokens ?? countCompletionPrompt(body.prompt);
  const cap = outputCap(body, ctx.model.max_output_tokens);
  const stop = stopSequences(body.stop);
  const n = choiceCount(body.n);
  // OpenAI returns n choices per prompt, numbered prompt by prompt.
  const choices: Generated[] = [];
  for (const p of prompts(body.prompt)) {
    for (let i = 0; i < n; i++) {
      const seed = seedFrom('completion', p, body.seed ?? null, ctx.model.simulator.seed, i);
      choices.push(generate({ seed, cap, stop, tool: null }));
    }
  }
  const usage = usageOf(promptTokens, choices);
  const json = {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model.name,
    system_fingerprint: ctx.systemFingerprint,
    choices: choices.map((c, index) => ({ text: c.text, index, logprobs: null, finish_reason: c.finishReason })),
    usage,
  };
  return {
    json,
    usage,
    longestTokens: Math.max(0, ...choices.map((c) => c.pieces.length)),
    frames: (includeUsage) => completionFrames(ctx, choices, includeUsage ? usage : null),
  };
}

function completionFrames(ctx: AnswerContext, choices: readonly Generated[], usage: Answer['usage'] | null): Frame[] {
  const chunk = chunkOf(ctx, 'text_completion');
  const choice = (index: number, text: string, finish: string | null = null) => ({ text, index, logprobs: null, finish_reason: finish });
  const content = choices.map((c, i) =>
    chunked(c.pieces).map((g): Frame => ({ kind: 'content', atTokens: g.atTokens, chunk: chunk([choice(i, g.text)]) })),
  );
  const frames = interleave(content);
  choices.forEach((c, i) => frames.push({ kind: 'finish', atTokens: c.pieces.length, chunk: chunk([choice(i, '', c.finishReason)]) }));
  if (usage) frames.push({ kind: 'usage', atTokens: 0, chunk: chunk([], { usage }) });
  return frames;
}
