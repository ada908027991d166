/**
 * fast-check arbitraries for inference request bodies, for property tests of the validate stage
 * and for HTTP-level fuzzing: random JSON, bodies that must be accepted, and random mutations of
 * those (which may or may not still be valid).
 *
 * Valid bodies stay small (a few short messages, caps <= 256 tokens) so they fit the default
 * models (`sim-small`: 8192-token window, `sim-embed`) whatever the draw.
 */
import fc from 'fast-check';
import type { InferenceEndpoint } from '../../src/upstream/engine.js';
import { KNOWN_PARAMS } from '../../src/validation/vocabulary.js';

export const ENDPOINTS: readonly InferenceEndpoint[] = ['chat.completions', 'completions', 'embeddings'];

/** Any JSON value, a few levels deep. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** Values at or just past the edges the validators judge, mixed into mutations. */
export const edgeValues: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  null, true, false, 0, -0, 1, -1, 1.5, 2, 2.000001, 4, 5, 20, 21, 128, 129, 256, 257, 1e21, -1e21,
  Number.MAX_SAFE_INTEGER, '', ' ', 'x'.repeat(65), 'x'.repeat(513), '😀'.repeat(40), '__proto__', 'constructor',
  'text', 'function', 'json_schema', 'user', 'tool', 'auto', [], [null], [1, 'a'], [[]], {}, { type: 'text' },
  { type: 'function' }, { role: 'user' }, JSON.parse('{"__proto__": 1}') as unknown, { toString: 'x' },
);

const text = fc.string({ maxLength: 40 });
const nonEmptyText = fc.string({ minLength: 1, maxLength: 40 });
const name = fc.stringMatching(/^[a-zA-Z0-9_-]{1,24}$/);
const tokenId = fc.nat({ max: 199_999 });

const textPart = fc.record({ type: fc.constant('text'), text });
const imagePart = fc.record({
  type: fc.constant('image_url'),
  image_url: fc.record({ url: fc.webUrl(), detail: fc.constantFrom('auto', 'low', 'high') }, { requiredKeys: ['url'] }),
});
const audioPart = fc.record({
  type: fc.constant('input_audio'),
  input_audio: fc.record({ data: fc.base64String({ maxLength: 24 }), format: fc.constantFrom('wav', 'mp3') }),
});
const filePart = fc.record({
  type: fc.constant('file'),
  file: fc.record({ file_id: name, filename: name, file_data: fc.base64String({ maxLength: 24 }) }, { requiredKeys: [] }),
});
const textContent = fc.oneof(text, fc.array(textPart, { minLength: 1, maxLength: 3 }));
const userContent = fc.oneof(text, fc.array(fc.oneof(textPart, imagePart, audioPart, filePart), { minLength: 1, maxLength: 4 }));
const assistantContent = fc.oneof(
  text,
  fc.constant(null),
  fc.array(fc.oneof(textPart, fc.record({ type: fc.constant('refusal'), refusal: text })), { maxLength: 3 }),
);

const toolCall = fc.oneof(
  fc.record({ id: name, type: fc.constant('function'), function: fc.record({ name, arguments: fc.json({ maxDepth: 2 }) }) }),
  fc.record({ id: name, type: fc.constant('custom'), custom: fc.record({ name, input: text }) }),
);

/**
 * One turn of a conversation: a message, or an assistant message with tool calls followed by a
 * tool message answering each of them (as OpenAI requires of tool messages).
 */
const turn: fc.Arbitrary<Record<string, unknown>[]> = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer'), content: textContent, name }, { requiredKeys: ['role', 'content'] }).map((m) => [m]),
  fc.record({ role: fc.constant('user'), content: userContent, name }, { requiredKeys: ['role', 'content'] }).map((m) => [m]),
  fc
    .tuple(
      fc.record(
        { role: fc.constant('assistant'), content: assistantContent, tool_calls: fc.array(toolCall, { maxLength: 3 }), refusal: fc.option(text), name },
        { requiredKeys: ['role'] },
      ),
      textContent,
    )
    .map(([m, content]) => [m, ...(m.tool_calls ?? []).map((c) => ({ role: 'tool', tool_call_id: c.id, content }))]),
  fc.record({ role: fc.constant('function'), name, content: fc.option(text) }).map((m) => [m]),
);

const functionTool = fc.record({
  type: fc.constant('function'),
  function: fc.record(
    { name, description: text, parameters: fc.constant({ type: 'object', properties: {} }), strict: fc.option(fc.boolean()) },
    { requiredKeys: ['name'] },
  ),
});
const customTool = fc.record({
  type: fc.constant('custom'),
  custom: fc.record({ name, description: text, format: fc.constant({ type: 'text' }) }, { requiredKeys: ['name'] }),
});

const toolGroup = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      tools: fc.array(fc.oneof(functionTool, customTool), { minLength: 1, maxLength: 4 }),
      tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name }) })),
      parallel_tool_calls: fc.boolean(),
    },
    { requiredKeys: ['tools'] },
  ),
);

const streamGroup = fc.oneof(
  fc.constant({}),
  fc.record({ stream: fc.constantFrom(false, null) }),
  fc.record(
    { stream: fc.constant(true), stream_options: fc.option(fc.record({ include_usage: fc.boolean(), include_obfuscation: fc.boolean() }, { requiredKeys: [] })) },
    { requiredKeys: ['stream'] },
  ),
);

const logprobsGroup = fc.oneof(
  fc.constant({}),
  fc.record({ logprobs: fc.boolean() }),
  fc.record({ logprobs: fc.constant(true), top_logprobs: fc.integer({ min: 0, max: 20 }) }),
);

const stop = fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.constant(null));
const decimal = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const cap = fc.integer({ min: 1, max: 256 });

/** Parameters chat and completions share, each optional. */
const generationParams = {
  frequency_penalty: decimal(-2, 2),
  presence_penalty: decimal(-2, 2),
  temperature: decimal(0, 2),
  top_p: decimal(0, 1),
  max_tokens: cap,
  seed: fc.integer(),
  stop,
  user: fc.string({ maxLength: 64 }),
  logit_bias: fc.dictionary(tokenId.map(String), fc.integer({ min: -100, max: 100 }), { maxKeys: 5 }),
};

const chatScalars = fc.record(
  {
    ...generationParams,
    n: fc.integer({ min: 1, max: 4 }),
    max_completion_tokens: cap,
    metadata: fc.dictionary(fc.string({ maxLength: 64 }), fc.string({ maxLength: 80 }), { maxKeys: 16 }),
    modalities: fc.subarray(['text', 'audio']),
    audio: fc.record({ voice: fc.oneof(fc.constantFrom('alloy', 'marin'), fc.record({ id: name })), format: fc.constantFrom('wav', 'mp3', 'pcm16') }),
    prediction: fc.record({ type: fc.constant('content'), content: textContent }),
    prompt_cache_key: text,
    prompt_cache_retention: fc.constantFrom('in_memory', 'in-memory', '24h'),
    reasoning_effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high', 'xhigh'),
    response_format: fc.oneof(
      fc.constant({ type: 'text' }),
      fc.constant({ type: 'json_object' }),
      fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name, schema: fc.constant({ type: 'object' }), strict: fc.boolean() }, { requiredKeys: ['name'] }) }),
    ),
    safety_identifier: fc.string({ maxLength: 64 }),
    service_tier: fc.constantFrom('auto', 'default', 'flex', 'scale', 'priority'),
    store: fc.boolean(),
    verbosity: fc.constantFrom('low', 'medium', 'high'),
    web_search_options: fc.record(
      { search_context_size: fc.constantFrom('low', 'medium', 'high'), user_location: fc.record({ type: fc.constant('approximate'), approximate: fc.record({ city: text, country: text }, { requiredKeys: [] }) }) },
      { requiredKeys: [] },
    ),
    functions: fc.array(fc.record({ name, description: text }, { requiredKeys: ['name'] }), { maxLength: 3 }),
    function_call: fc.oneof(fc.constantFrom('none', 'auto'), fc.record({ name })),
  },
  { requiredKeys: [] },
);

const merge = (...parts: object[]): Record<string, unknown> => Object.assign({}, ...parts) as Record<string, unknown>;

/** A /v1/chat/completions body the validator must accept. */
export function validChatBody(model = 'sim-small'): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.array(turn, { minLength: 1, maxLength: 4 }), chatScalars, toolGroup, streamGroup, logprobsGroup)
    .map(([turns, scalars, tools, stream, logprobs]) => merge({ model, messages: turns.flat() }, scalars, tools, stream, logprobs));
}

const completionPrompt = fc.oneof(
  text,
  fc.array(text, { minLength: 1, maxLength: 4 }),
  fc.array(tokenId, { minLength: 1, maxLength: 20 }),
  fc.array(fc.array(tokenId, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 }),
);

/** n, best_of and stream together: best_of >= n, and best_of > 1 is never streamed. */
const completionChoices = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.oneof(
    fc.record({ n: fc.constant(n), best_of: fc.integer({ min: n, max: 5 }), stream: fc.constant(false) }),
    fc.record({ n: fc.constant(n), stream: fc.constant(true), stream_options: fc.record({ include_usage: fc.boolean() }) }),
    fc.record({ n: fc.constant(n) }),
  ),
);

/** A /v1/completions body the validator must accept. */
export function validCompletionBody(model = 'sim-small'): fc.Arbitrary<Record<string, unknown>> {
  const scalars = fc.record(
    { ...generationParams, echo: fc.boolean(), logprobs: fc.integer({ min: 0, max: 5 }), suffix: fc.option(text) },
    { requiredKeys: [] },
  );
  return fc.tuple(completionPrompt, scalars, completionChoices).map(([prompt, s, choices]) => merge({ model, prompt }, s, choices));
}

/** A /v1/embeddings body the validator must accept. */
export function validEmbeddingBody(model = 'sim-embed'): fc.Arbitrary<Record<string, unknown>> {
  const input = fc.oneof(
    nonEmptyText,
    fc.array(nonEmptyText, { minLength: 1, maxLength: 8 }),
    fc.array(tokenId, { minLength: 1, maxLength: 20 }),
    fc.array(fc.array(tokenId, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
  );
  const scalars = fc.record(
    { dimensions: fc.integer({ min: 1, max: 1536 /* sim-embed's length */ }), encoding_format: fc.constantFrom('float', 'base64'), user: fc.string({ maxLength: 64 }) },
    { requiredKeys: [] },
  );
  return fc.tuple(input, scalars).map(([i, s]) => merge({ model, input: i }, s));
}

export function validBody(endpoint: InferenceEndpoint, model?: string): fc.Arbitrary<Record<string, unknown>> {
  if (endpoint === 'chat.completions') return validChatBody(model);
  if (endpoint === 'completions') return validCompletionBody(model);
  return validEmbeddingBody(model);
}

type Path = (string | number)[];

/** Every path in a JSON value, the root excluded, depth first. */
export function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([...prefix, key]);
      pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
    }
  }
  return out;
}

export type MutationKind = 'replace' | 'delete' | 'add-key' | 'set-top-level';

/** Applies one mutation to a deep copy of `body`; `pick` chooses the path. */
export function mutate(body: Record<string, unknown>, kind: MutationKind, pick: number, value: unknown, key: string): Record<string, unknown> {
  const copy = structuredClone(body);
  if (kind === 'set-top-level') {
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length]!;
  const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (kind === 'replace') parent[last] = value;
  else if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    } else parent[last] = value;
  }
  return copy;
}

/** Top-level names to set: the endpoint's own, another endpoint's, and unknown ones. */
const keyArb = fc.oneof(
  fc.constantFrom(
    'model', 'messages', 'prompt', 'input', 'n', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens',
    'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'logprobs', 'top_logprobs', 'metadata', 'best_of',
    'dimensions', 'encoding_format', 'user', 'response_format', 'role', 'content', 'type', 'name', '__proto__',
  ),
  fc.string({ maxLength: 12 }),
);

/** A valid body with one random mutation: it may stay valid or become invalid in any way. */
export function mutatedBody(endpoint: InferenceEndpoint, model?: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      validBody(endpoint, model),
      fc.constantFrom<MutationKind>('replace', 'delete', 'add-key', 'set-top-level'),
      fc.nat(),
      fc.oneof(anyJson, edgeValues),
      keyArb,
    )
    .map(([body, kind, pick, value, key]) => mutate(body, kind, pick, value, key));
}

/** A valid body with up to 4 of the endpoint's own parameters set to random JSON. */
export function knownParamsRandomValues(endpoint: InferenceEndpoint, model?: string): fc.Arbitrary<Record<string, unknown>> {
  const names = [...KNOWN_PARAMS[endpoint]].filter((k) => k !== 'model');
  return fc
    .tuple(validBody(endpoint, model), fc.dictionary(fc.constantFrom(...names), fc.oneof(anyJson, edgeValues), { maxKeys: 4 }))
    .map(([body, overrides]) => merge(body, overrides));
}
