/** Legacy completions: `text_completion` bodies and streams (no role chunk, `text` per choice). */
import { countCompletionPrompt } from '../../tokens/count.js';
import { completionLogprobs, completionLogprobsAsked, echoedPrompt, promptPieces, sliceLogprobs, type CompletionLogprobs } from './completion-logprobs.js';
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
  const top = completionLogprobsAsked(body);
  // OpenAI returns n choices per prompt, numbered prompt by prompt.
  const choices: Generated[] = [];
  const shown: Shown[] = [];
  for (const p of prompts(body.prompt)) {
    const echo = body.echo === true ? echoedPrompt(p) : '';
    const echoPieces = top !== null ? promptPieces(echo) : [];
    for (let i = 0; i < n; i++) {
      const seed = seedFrom('completion', p, body.seed ?? null, ctx.model.simulator.seed, i);
      const c = generate({ seed, cap, stop, tool: null });
      choices.push(c);
      shown.push({ echo, echoTokens: echoPieces.length, logprobs: top === null ? null : completionLogprobs(echoPieces, c.pieces, top, seed) });
    }
  }
  // Usage counts the generated tokens only: an echoed prompt is not output.
  const usage = usageOf(promptTokens, choices);
  const json = {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model.name,
    system_fingerprint: ctx.systemFingerprint,
    choices: choices.map((c, index) => ({ text: shown[index]!.echo + c.text, index, logprobs: shown[index]!.logprobs, finish_reason: c.finishReason })),
    usage,
  };
  return {
    json,
    usage,
    longestTokens: Math.max(0, ...choices.map((c) => c.pieces.length)),
    frames: (includeUsage) => completionFrames(ctx, choices, shown, includeUsage ? usage : null),
  };
}

/**
 * What a choice shows besides its generated text: the echoed prompt (empty without `echo`), its
 * token count in `logprobs`, and the logprobs of the whole text (null when not asked).
 */
interface Shown {
  echo: string;
  echoTokens: number;
  logprobs: CompletionLogprobs | null;
}

/**
 * A stream: the echoed prompt leads a choice's first chunk (a chunk of its own when the choice
 * generated nothing), and each chunk carries its tokens' logprobs.
 */
function completionFrames(ctx: AnswerContext, choices: readonly Generated[], shown: readonly Shown[], usage: Answer['usage'] | null): Frame[] {
  const chunk = chunkOf(ctx, 'text_completion');
  const choice = (index: number, text: string, finish: string | null = null, logprobs: CompletionLogprobs | null = null) => ({ text, index, logprobs, finish_reason: finish });
  const content = choices.map((c, i) => {
    const s = shown[i]!;
    const groups = chunked(c.pieces);
    // A choice that generates nothing (a stop sequence at the start, a cap of 0) still shows its echo, as its JSON answer does.
    if (groups.length === 0 && s.echo !== '') groups.push({ text: '', atTokens: 0, count: 0 });
    return groups.map((g, k): Frame => {
      const from = k === 0 ? 0 : s.echoTokens + g.atTokens - g.count;
      const logprobs = s.logprobs && sliceLogprobs(s.logprobs, from, s.echoTokens + g.atTokens);
      return { kind: 'content', atTokens: g.atTokens, chunk: chunk([choice(i, k === 0 ? s.echo + g.text : g.text, null, logprobs)]) };
    });
  });
  const frames = interleave(content);
  choices.forEach((c, i) => frames.push({ kind: 'finish', atTokens: c.pieces.length, chunk: chunk([choice(i, '', c.finishReason)]) }));
  if (usage) frames.push({ kind: 'usage', atTokens: 0, chunk: chunk([], { usage }) });
  return frames;
}
