/** Chat completions: `chat.completion` bodies and `chat.completion.chunk` streams. */
import { countChatPrompt } from '../../tokens/count.js';
import { chatWireUsage } from '../wire-usage.js';
import { chunked, chunkOf, choiceCount, interleave, SERVICE_TIER, usageOf, type Answer, type AnswerContext, type Frame } from './answer.js';
import { generate, jsonFormat, outputCap, stopSequences, type Generated } from './generate.js';
import { mulberry32, seedFrom } from './random.js';
import { logprobsAsked, tokenLogprobs, type TokenLogprob } from './logprobs.js';
import { forcedTool } from './tools.js';

export function chatAnswer(body: Record<string, unknown>, ctx: AnswerContext): Answer {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const promptTokens = ctx.promptTokens ?? countChatPrompt(messages, body.tools);
  const cap = outputCap(body, ctx.model.max_output_tokens);
  const stop = stopSequences(body.stop);
  const n = choiceCount(body.n);
  const format = jsonFormat(body.response_format);
  const asked = logprobsAsked(body);
  const choices: Generated[] = [];
  // Per choice, per piece: the token log probabilities when asked (text answers only).
  const logprobs: (TokenLogprob[] | null)[] = [];
  for (let i = 0; i < n; i++) {
    const seed = seedFrom('chat', messages, body.tools ?? null, body.seed ?? null, ctx.model.simulator.seed, i);
    const c = generate({ seed, cap, stop, tool: forcedTool(body, mulberry32(seed ^ 0x9e3779b9)), json: format });
    choices.push(c);
    logprobs.push(asked && !c.toolCall ? tokenLogprobs(c.pieces, asked.top, seed) : null);
  }
  /** The `logprobs` of a choice (or of pieces [from, to) of it): null when not asked. */
  const logprobsOf = (i: number, from = 0, to?: number) => {
    if (!asked) return null;
    const lp = logprobs[i];
    return { content: lp ? lp.slice(from, to) : null, refusal: null };
  };
  const usage = usageOf(promptTokens, choices);
  const head = { id: ctx.id, object: 'chat.completion', created: ctx.created, model: ctx.model.name };
  const json = {
    ...head,
    choices: choices.map((c, index) => ({ index, message: message(c), logprobs: logprobsOf(index), finish_reason: c.finishReason })),
    usage: chatWireUsage(usage),
    service_tier: SERVICE_TIER,
    system_fingerprint: ctx.systemFingerprint,
  };
  return {
    json,
    usage,
    longestTokens: Math.max(0, ...choices.map((c) => c.pieces.length)),
    frames: (includeUsage) => chatFrames(ctx, choices, includeUsage ? usage : null, logprobsOf),
  };
}

function message(c: Generated): Record<string, unknown> {
  if (!c.toolCall) return { role: 'assistant', content: c.text, refusal: null };
  return {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: [{ id: c.toolCall.id, type: 'function', function: { name: c.toolCall.name, arguments: c.text } }],
  };
}

type LogprobsOf = (i: number, from?: number, to?: number) => { content: TokenLogprob[] | null; refusal: null } | null;

function chatFrames(ctx: AnswerContext, choices: readonly Generated[], usage: Answer['usage'] | null, logprobsOf: LogprobsOf): Frame[] {
  const chunk = chunkOf(ctx, 'chat.completion.chunk');
  const choice = (index: number, delta: Record<string, unknown>, finish: string | null = null, logprobs: unknown = null) => ({ index, delta, logprobs, finish_reason: finish });

  const frames: Frame[] = choices.map((c, i) => ({
    kind: 'head',
    atTokens: 0,
    chunk: chunk([
      choice(
        i,
        c.toolCall
          ? { role: 'assistant', content: null, tool_calls: [{ index: 0, id: c.toolCall.id, type: 'function', function: { name: c.toolCall.name, arguments: '' } }], refusal: null }
          : { role: 'assistant', content: '', refusal: null },
      ),
    ]),
  }));
  const content = choices.map((c, i) =>
    chunked(c.pieces).map(
      (g): Frame => ({
        kind: 'content',
        atTokens: g.atTokens,
        chunk: chunk([
          c.toolCall
            ? choice(i, { tool_calls: [{ index: 0, function: { arguments: g.text } }] })
            : choice(i, { content: g.text }, null, logprobsOf(i, g.atTokens - g.count, g.atTokens)),
        ]),
      }),
    ),
  );
  frames.push(...interleave(content));
  choices.forEach((c, i) => frames.push({ kind: 'finish', atTokens: c.pieces.length, chunk: chunk([choice(i, {}, c.finishReason)]) }));
  if (usage) frames.push({ kind: 'usage', atTokens: 0, chunk: chunk([], { usage: chatWireUsage(usage) }) });
  return frames;
}
