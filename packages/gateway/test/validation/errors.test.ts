import { describe, expect, it } from 'vitest';
import { countChatPrompt, countText } from '../../src/tokens/count.js';
import { bad, rejection, validate } from './fixtures.js';

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'sim-small', messages: [{ role: 'user', content: 'ping' }], ...extra });
const completion = (extra: Record<string, unknown> = {}) => ({ model: 'sim-small', prompt: 'ping', ...extra });
const embedding = (extra: Record<string, unknown> = {}) => ({ model: 'sim-embed', input: 'ping', ...extra });
const without = (body: Record<string, unknown>, key: string) => {
  const copy = { ...body };
  delete copy[key];
  return copy;
};

describe('invalid_body_type', () => {
  it.each([
    [[], 'an array'],
    ['hello', 'a string'],
    [5, 'an integer'],
    [2.5, 'a decimal number'],
    [true, 'a boolean'],
    [null, 'null'],
  ])('rejects %j as the body', (body, actual) => {
    expect(rejection('chat.completions', body)).toEqual(
      bad('invalid_type', null, `Invalid type for request body: expected an object, but got ${actual} instead.`),
    );
  });
});

describe('unrecognized arguments', () => {
  it('names one unknown parameter, without a trailing period', () => {
    expect(rejection('chat.completions', chat({ temprature: 1 }))).toEqual(bad(null, null, 'Unrecognized request argument supplied: temprature'));
  });

  it('lists several sorted and comma-separated', () => {
    expect(rejection('chat.completions', chat({ zeta: 1, alpha: 2, mid: 3 }))).toEqual(
      bad(null, null, 'Unrecognized request arguments supplied: alpha, mid, zeta'),
    );
  });

  it("rejects another endpoint's parameters", () => {
    expect(rejection('embeddings', embedding({ messages: [] }))).toEqual(bad(null, null, 'Unrecognized request argument supplied: messages'));
    expect(rejection('completions', completion({ tools: [] }))).toEqual(bad(null, null, 'Unrecognized request argument supplied: tools'));
    expect(rejection('chat.completions', chat({ prompt: 'x', best_of: 2 }))).toEqual(
      bad(null, null, 'Unrecognized request arguments supplied: best_of, prompt'),
    );
  });

  it('is judged before missing parameters', () => {
    expect(rejection('chat.completions', { foo: 1 })).toEqual(bad(null, null, 'Unrecognized request argument supplied: foo'));
  });
});

describe('missing_required_parameter', () => {
  it.each([
    ['chat.completions', chat(), 'model'],
    ['chat.completions', chat(), 'messages'],
    ['completions', completion(), 'model'],
    ['completions', completion(), 'prompt'],
    ['embeddings', embedding(), 'model'],
    ['embeddings', embedding(), 'input'],
  ] as const)('%s without %s', (endpoint, body, param) => {
    expect(rejection(endpoint, without(body, param))).toEqual(
      bad('missing_required_parameter', param, `Missing required parameter: '${param}'.`),
    );
  });

  it('names nested paths in a[0].b notation', () => {
    expect(rejection('chat.completions', chat({ messages: [{ role: 'user', content: 'x' }, { content: 'y' }] }))).toEqual(
      bad('missing_required_parameter', 'messages[1].role', "Missing required parameter: 'messages[1].role'."),
    );
    expect(rejection('chat.completions', chat({ messages: [{ role: 'tool', content: 'r' }] }))).toEqual(
      bad('missing_required_parameter', 'messages[0].tool_call_id', "Missing required parameter: 'messages[0].tool_call_id'."),
    );
    expect(rejection('chat.completions', chat({ tools: [{ type: 'function', function: { parameters: {} } }] }))).toEqual(
      bad('missing_required_parameter', 'tools[0].function.name', "Missing required parameter: 'tools[0].function.name'."),
    );
    expect(rejection('chat.completions', chat({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }))).toEqual(
      bad('missing_required_parameter', 'response_format.json_schema.name', "Missing required parameter: 'response_format.json_schema.name'."),
    );
    expect(
      rejection('chat.completions', chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { detail: 'low' } }] }] })),
    ).toEqual(
      bad('missing_required_parameter', 'messages[0].content[0].image_url.url', "Missing required parameter: 'messages[0].content[0].image_url.url'."),
    );
  });

  it('asks for the function of an object tool_choice before judging its type, as OpenAI does', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(rejection('chat.completions', chat({ tools, tool_choice: { type: 'bogus' } }))).toEqual(
      bad('missing_required_parameter', 'tool_choice.function', "Missing required parameter: 'tool_choice.function'."),
    );
  });

  it('is judged before types', () => {
    expect(rejection('chat.completions', { model: 5 })).toEqual(bad('missing_required_parameter', 'messages', "Missing required parameter: 'messages'."));
  });
});

describe('invalid_type', () => {
  it.each([
    [{ messages: 'ping' }, 'messages', 'an array of objects', 'a string'],
    [{ messages: null }, 'messages', 'an array of objects', 'null'],
    [{ messages: ['ping'] }, 'messages[0]', 'an object', 'a string'],
    [{ messages: [{ role: 'user', content: 7 }] }, 'messages[0].content', 'one of a string or array of objects', 'an integer'],
    [{ messages: [{ role: 'user', content: { text: 'x' } }] }, 'messages[0].content', 'one of a string or array of objects', 'an object'],
    [{ model: 4 }, 'model', 'a string', 'an integer'],
    [{ n: '2' }, 'n', 'an integer', 'a string'],
    [{ seed: 1.5 }, 'seed', 'an integer', 'a decimal number'],
    [{ temperature: 'hot' }, 'temperature', 'a decimal', 'a string'],
    [{ store: 'yes' }, 'store', 'a boolean', 'a string'],
    [{ user: { a: 1 } }, 'user', 'a string', 'an object'],
    [{ tools: 'none' }, 'tools', 'an array of objects', 'a string'],
    [{ response_format: 'json' }, 'response_format', 'an object', 'a string'],
    [{ stop: 5 }, 'stop', 'one of a string or array of strings', 'an integer'],
    [{ stop: ['a', 3] }, 'stop[1]', 'a string', 'an integer'],
    [{ metadata: { k: 7 } }, 'metadata.k', 'a string', 'an integer'],
    [{ logit_bias: { '50256': 'x' } }, 'logit_bias.50256', 'a decimal', 'a string'],
    [{ tool_choice: 7, tools: [{ type: 'function', function: { name: 'f' } }] }, 'tool_choice', "one of one of 'none', 'auto', or 'required' or object", 'an integer'],
    [{ service_tier: { a: 1 } }, 'service_tier', "one of 'auto', 'default', 'flex', 'scale', or 'priority'", 'an object'],
    [{ prompt_cache_retention: { a: 1 } }, 'prompt_cache_retention', "one of 'in_memory' or '24h'", 'an object'],
    [{ messages: [{ role: 5, content: 'x' }] }, 'messages[0].role', "one of 'system', 'assistant', 'user', 'function', 'tool', or 'developer'", 'an integer'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://x/y.png' }] }] }, 'messages[0].content[0].image_url', 'an object', 'a string'],
  ])('%j', (extra, param, expected, actual) => {
    expect(rejection('chat.completions', chat(extra))).toEqual(
      bad('invalid_type', param, `Invalid type for '${param}': expected ${expected}, but got ${actual} instead.`),
    );
  });

  it('judges the prompt and input forms', () => {
    const forms = 'one of a string, array of strings, array of integers, or array of arrays of integers';
    expect(rejection('completions', completion({ prompt: { text: 'x' } }))).toEqual(
      bad('invalid_type', 'prompt', `Invalid type for 'prompt': expected ${forms}, but got an object instead.`),
    );
    expect(rejection('completions', completion({ prompt: ['a', 1] }))).toEqual(
      bad('invalid_type', 'prompt[1]', "Invalid type for 'prompt[1]': expected a string, but got an integer instead."),
    );
    expect(rejection('embeddings', embedding({ input: [[1, 2], [3, 'x']] }))).toEqual(
      bad('invalid_type', 'input[1][1]', "Invalid type for 'input[1][1]': expected an integer, but got a string instead."),
    );
    expect(rejection('embeddings', embedding({ input: null }))).toEqual(
      bad('invalid_type', 'input', `Invalid type for 'input': expected ${forms}, but got null instead.`),
    );
  });
});

describe('ranges', () => {
  it('decimal_above_max_value prints numbers as JSON does', () => {
    expect(rejection('chat.completions', chat({ temperature: 200 }))).toEqual(
      bad('decimal_above_max_value', 'temperature', "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 200 instead."),
    );
    expect(rejection('completions', completion({ top_p: 1.5 }))).toEqual(
      bad('decimal_above_max_value', 'top_p', "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead."),
    );
  });

  it('decimal_below_min_value', () => {
    expect(rejection('chat.completions', chat({ presence_penalty: -2.5 }))).toEqual(
      bad('decimal_below_min_value', 'presence_penalty', "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -2.5 instead."),
    );
    expect(rejection('chat.completions', chat({ logit_bias: { '42': -101 } }))).toEqual(
      bad('decimal_below_min_value', 'logit_bias.42', "Invalid 'logit_bias.42': decimal below minimum value. Expected a value >= -100, but got -101 instead."),
    );
  });

  it('integer_above_max_value', () => {
    expect(rejection('chat.completions', chat({ n: 129 }))).toEqual(
      bad('integer_above_max_value', 'n', "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead."),
    );
    expect(rejection('chat.completions', chat({ logprobs: true, top_logprobs: 21 }))).toEqual(
      bad('integer_above_max_value', 'top_logprobs', "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead."),
    );
    expect(rejection('completions', completion({ logprobs: 6 }))).toEqual(
      bad('integer_above_max_value', 'logprobs', "Invalid 'logprobs': integer above maximum value. Expected a value <= 5, but got 6 instead."),
    );
  });

  it("integer_above_max_value for a cap above the model's output limit", () => {
    expect(rejection('chat.completions', chat({ max_completion_tokens: 5000 }))).toEqual(
      bad('integer_above_max_value', 'max_completion_tokens', "Invalid 'max_completion_tokens': integer above maximum value. Expected a value <= 4096, but got 5000 instead."),
    );
  });

  it('integer_below_min_value', () => {
    expect(rejection('chat.completions', chat({ max_tokens: 0 }))).toEqual(
      bad('integer_below_min_value', 'max_tokens', "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."),
    );
    expect(rejection('embeddings', embedding({ dimensions: 0 }))).toEqual(
      bad('integer_below_min_value', 'dimensions', "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0 instead."),
    );
    expect(rejection('completions', completion({ n: 3, best_of: 2 }))).toEqual(
      bad('integer_below_min_value', 'best_of', "Invalid 'best_of': integer below minimum value. Expected a value >= 3, but got 2 instead."),
    );
  });

  it('array_above_max_length', () => {
    expect(rejection('chat.completions', chat({ stop: ['a', 'b', 'c', 'd', 'e'] }))).toEqual(
      bad('array_above_max_length', 'stop', "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead."),
    );
    const tools = Array.from({ length: 129 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } }));
    expect(rejection('chat.completions', chat({ tools }))).toEqual(
      bad('array_above_max_length', 'tools', "Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length 129 instead."),
    );
    expect(rejection('embeddings', embedding({ input: Array.from({ length: 2049 }, () => 'x') }))).toEqual(
      bad('array_above_max_length', 'input', "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 2049 instead."),
    );
  });

  it('empty_array', () => {
    expect(rejection('chat.completions', chat({ messages: [] }))).toEqual(
      bad('empty_array', 'messages', "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."),
    );
    expect(rejection('chat.completions', chat({ tools: [] }))).toEqual(
      bad('empty_array', 'tools', "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead."),
    );
    expect(rejection('embeddings', embedding({ input: [] }))).toEqual(
      bad('empty_array', 'input', "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead."),
    );
  });

  it('string_above_max_length counts characters, not UTF-16 units', () => {
    expect(rejection('chat.completions', chat({ safety_identifier: 'x'.repeat(65) }))).toEqual(
      bad('string_above_max_length', 'safety_identifier', "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length 65 instead."),
    );
    expect(rejection('chat.completions', chat({ metadata: { k: 'x'.repeat(600) } }))).toEqual(
      bad('string_above_max_length', 'metadata.k', "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 600 instead."),
    );
    // 64 emoji are 128 UTF-16 units but 64 characters: within the limit.
    expect(() => rejection('chat.completions', chat({ safety_identifier: '😀'.repeat(64) }))).toThrow(/accepted/);
    expect(rejection('chat.completions', chat({ user: '😀'.repeat(257) }))).toEqual(
      bad('string_above_max_length', 'user', "Invalid 'user': string too long. Expected a string with maximum length 256, but got a string with length 257 instead."),
    );
  });

  it('metadata with more than 16 pairs', () => {
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    const r = rejection('chat.completions', chat({ metadata }));
    expect(r).toEqual(bad('object_above_max_properties', 'metadata', "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead."));
  });
});

describe('invalid_value', () => {
  it.each([
    [{ messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role', 'bot', "'system', 'assistant', 'user', 'function', 'tool', and 'developer'"],
    [{ messages: [{ role: 'user', content: [{ type: 'image', url: 'x' }] }] }, 'messages[0].content[0].type', 'image', "'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'"],
    [{ service_tier: 'bogus' }, 'service_tier', 'bogus', "'auto', 'default', 'flex', 'scale', and 'priority'"],
    [{ verbosity: 'loud' }, 'verbosity', 'loud', "'low', 'medium', and 'high'"],
    [{ response_format: { type: 'yaml' } }, 'response_format.type', 'yaml', "'json_object', 'json_schema', and 'text'"],
    [{ reasoning_effort: 'max' }, 'reasoning_effort', 'max', "'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'"],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'any' }, 'tool_choice', 'any', "'none', 'auto', and 'required'"],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type', 'web_search', "'function' and 'custom'"],
    [{ modalities: ['text', 'video'] }, 'modalities[1]', 'video', "'text' and 'audio'"],
  ])('%j', (extra, param, value, supported) => {
    expect(rejection('chat.completions', chat(extra))).toEqual(
      bad('invalid_value', param, `Invalid value: '${value}'. Supported values are: ${supported}.`),
    );
  });

  it('encoding_format on embeddings', () => {
    expect(rejection('embeddings', embedding({ encoding_format: 'int8' }))).toEqual(
      bad('invalid_value', 'encoding_format', "Invalid value: 'int8'. Supported values are: 'float' and 'base64'."),
    );
  });

  it('an empty embeddings input', () => {
    expect(rejection('embeddings', embedding({ input: ['ok', ''] }))).toEqual(
      bad('invalid_value', 'input[1]', "Invalid value: ''. Supported values are: a non-empty string."),
    );
  });
});

describe('invalid_parameter_combination', () => {
  it('stream_options needs stream', () => {
    const expected = bad('invalid_value', 'stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    expect(rejection('chat.completions', chat({ stream_options: { include_usage: true } }))).toEqual(expected);
    expect(rejection('chat.completions', chat({ stream: false, stream_options: { include_usage: true } }))).toEqual(expected);
    expect(rejection('completions', completion({ stream_options: {} }))).toEqual(expected);
  });

  it('top_logprobs needs logprobs', () => {
    expect(rejection('chat.completions', chat({ top_logprobs: 2 }))).toEqual(
      bad('invalid_value', 'top_logprobs', "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled."),
    );
  });

  it('tool_choice and parallel_tool_calls need tools', () => {
    expect(rejection('chat.completions', chat({ tool_choice: 'auto' }))).toEqual(
      bad('invalid_value', 'tool_choice', "The 'tool_choice' parameter is only allowed when 'tools' is specified."),
    );
    expect(rejection('chat.completions', chat({ parallel_tool_calls: false }))).toEqual(
      bad('invalid_value', 'parallel_tool_calls', "The 'parallel_tool_calls' parameter is only allowed when 'tools' is specified."),
    );
  });

  it('best_of cannot be streamed', () => {
    expect(rejection('completions', completion({ best_of: 2, stream: true }))).toEqual(
      bad('invalid_value', 'best_of', "The 'best_of' parameter is only allowed when 'stream' is disabled."),
    );
  });
});

describe('model_not_found', () => {
  const notFound = (model: string) => ({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: null,
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
  });

  it('an unknown model', () => {
    expect(rejection('chat.completions', chat({ model: 'gpt-9' }))).toEqual(notFound('gpt-9'));
  });

  it('a model of the wrong kind for the endpoint is not "does not exist": OpenAI\'s wrong-endpoint answers', () => {
    const notChat = (endpoint: string) => ({
      status: 404,
      type: 'invalid_request_error',
      code: null,
      param: 'model',
      message: `This is not a chat model and thus not supported in the ${endpoint} endpoint. Did you mean to use v1/embeddings?`,
    });
    expect(rejection('chat.completions', chat({ model: 'sim-embed' }))).toEqual(notChat('v1/chat/completions'));
    expect(rejection('completions', completion({ model: 'sim-embed' }))).toEqual(notChat('v1/completions'));
    expect(rejection('embeddings', embedding({ model: 'sim-small' }))).toEqual({
      status: 403,
      type: 'invalid_request_error',
      code: null,
      param: null,
      message: 'You are not allowed to generate embeddings from this model',
    });
  });

  it('is judged after the body is fully typed', () => {
    expect(rejection('chat.completions', chat({ model: 'gpt-9', n: 0 })).param).toBe('n');
  });
});

describe('context length', () => {
  const long = 'lorem ipsum dolor sit amet '.repeat(20);
  const messages = [{ role: 'user', content: long }];

  it('context_length_exceeded for messages', () => {
    const tokens = countChatPrompt(messages);
    expect(tokens).toBeGreaterThan(60);
    expect(rejection('chat.completions', { model: 'tiny-chat', messages })).toEqual(
      bad(
        'context_length_exceeded',
        'messages',
        `This model's maximum context length is 60 tokens. However, your messages resulted in ${tokens} tokens. Please reduce the length of the messages.`,
      ),
    );
  });

  it('context_length_exceeded for a prompt and for one input of a batch', () => {
    const tokens = countText(long);
    expect(rejection('completions', { model: 'tiny-chat', prompt: ['short', long] })).toEqual(
      bad(
        'context_length_exceeded',
        'prompt',
        `This model's maximum context length is 60 tokens. However, your prompt resulted in ${tokens} tokens. Please reduce the length of the prompt.`,
      ),
    );
    expect(rejection('embeddings', { model: 'tiny-embed', input: ['ok', long] })).toEqual(
      bad(
        'context_length_exceeded',
        'input',
        `This model's maximum context length is 10 tokens. However, your input resulted in ${tokens} tokens. Please reduce the length of the input.`,
      ),
    );
  });

  it('context_length_exceeded_with_completion when the explicit cap does not fit', () => {
    const medium = 'lorem ipsum dolor sit amet '.repeat(4);
    const short = [{ role: 'user', content: medium }];
    const prompt = countChatPrompt(short);
    expect(prompt).toBeLessThan(60);
    expect(prompt + 40).toBeGreaterThan(60);
    expect(rejection('chat.completions', { model: 'tiny-chat', messages: short, max_tokens: 40 })).toEqual(
      bad(
        'context_length_exceeded',
        'messages',
        `This model's maximum context length is 60 tokens. However, you requested ${prompt + 40} tokens (${prompt} in the messages, 40 in the completion). Please reduce the length of the messages or completion.`,
      ),
    );
    const p = countText(medium);
    expect(p + 40).toBeGreaterThan(60);
    expect(rejection('completions', { model: 'tiny-chat', prompt: medium, max_tokens: 40 })).toEqual(
      bad(
        'context_length_exceeded',
        'prompt',
        `This model's maximum context length is 60 tokens. However, you requested ${p + 40} tokens (${p} in the prompt, 40 in the completion). Please reduce the length of the prompt or completion.`,
      ),
    );
  });

  it('judges the window per choice, not times n', () => {
    const short = [{ role: 'user', content: 'hi' }];
    const prompt = countChatPrompt(short);
    const r = validate('chat.completions', { model: 'tiny-chat', messages: short, max_tokens: 40, n: 3 });
    expect(prompt + 40).toBeLessThanOrEqual(60);
    expect(r.maxOutputTokens).toBe(120);
  });
});

describe('nesting depth', () => {
  const nested = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };
  const withSchema = (depth: number) => chat({ tools: [{ type: 'function', function: { name: 'f', parameters: nested(depth) } }] });

  it('answers a body too deep to serialize as OpenAI answers one too deep to parse', () => {
    const body = withSchema(20_000);
    expect(() => JSON.stringify(body)).toThrow(RangeError); // what would otherwise become a 500
    const r = rejection('chat.completions', body);
    expect([r.status, r.code, r.param]).toEqual([400, null, null]);
    expect(r.message).toMatch(/^We could not parse the JSON body of your request\./);
  });

  it('accepts deep but sane nesting', () => {
    expect(() => validate('chat.completions', withSchema(500))).not.toThrow();
  });
});

describe('order of judgement', () => {
  const huge = [{ role: 'user', content: 'lorem ipsum '.repeat(100) }];

  it('an own "__proto__" key from JSON.parse is an unrecognized argument, not a prototype', () => {
    const body = JSON.parse('{"model":"sim-small","messages":[{"role":"user","content":"x"}],"__proto__":{"n":0}}') as unknown;
    expect(rejection('chat.completions', body)).toEqual(bad(null, null, 'Unrecognized request argument supplied: __proto__'));
  });

  it('the model before the context window', () => {
    expect(rejection('chat.completions', { model: 'gpt-9', messages: huge }).code).toBe('model_not_found');
  });

  it("the model's output cap before the context window", () => {
    expect(rejection('chat.completions', { model: 'tiny-chat', messages: huge, max_tokens: 41 })).toEqual(
      bad('integer_above_max_value', 'max_tokens', "Invalid 'max_tokens': integer above maximum value. Expected a value <= 40, but got 41 instead."),
    );
  });

  it('types before the parameters that depend on each other', () => {
    expect(rejection('chat.completions', chat({ stream_options: { include_usage: true }, temperature: 9 })).param).toBe('temperature');
  });
});

describe('tool messages against the tool calls they answer', () => {
  const call = (id: string) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } });
  const asking = (...ids: string[]) => ({ role: 'assistant', content: null, tool_calls: ids.map(call) });
  const answer = (id: string) => ({ role: 'tool', tool_call_id: id, content: 'r' });
  const user = { role: 'user', content: 'q' };
  const STRAY = "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
  const unanswered = (ids: string) =>
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${ids}`;

  it("a tool message after no assistant message with tool_calls: param messages.[N].role, OpenAI's spelling", () => {
    expect(rejection('chat.completions', chat({ messages: [user, answer('call_1')] }))).toEqual(bad(null, 'messages.[1].role', STRAY));
    expect(rejection('chat.completions', chat({ messages: [answer('call_1')] }))).toEqual(bad(null, 'messages.[0].role', STRAY));
    // An assistant message without calls, or with an empty list, is not one to answer.
    expect(rejection('chat.completions', chat({ messages: [user, { role: 'assistant', content: 'x' }, answer('c')] }))).toEqual(bad(null, 'messages.[2].role', STRAY));
    expect(rejection('chat.completions', chat({ messages: [user, { role: 'assistant', content: 'x', tool_calls: [] }, answer('c')] }))).toEqual(
      bad(null, 'messages.[2].role', STRAY),
    );
    // Answered calls are closed by the next message: a later tool message answers nothing.
    expect(rejection('chat.completions', chat({ messages: [user, asking('a'), answer('a'), user, answer('a')] }))).toEqual(bad(null, 'messages.[4].role', STRAY));
  });

  it('a tool_call_id that is not among the calls of the assistant message before the run', () => {
    expect(rejection('chat.completions', chat({ messages: [user, asking('a', 'b'), answer('a'), answer('zz')] }))).toEqual(
      bad(null, 'messages.[3].tool_call_id', "Invalid parameter: 'tool_call_id' of 'zz' not found in 'tool_calls' of previous message."),
    );
    // Only the nearest assistant message counts, not an earlier one's calls.
    expect(rejection('chat.completions', chat({ messages: [user, asking('a'), answer('a'), asking('b'), answer('a')] }))).toEqual(
      bad(null, 'messages.[4].tool_call_id', "Invalid parameter: 'tool_call_id' of 'a' not found in 'tool_calls' of previous message."),
    );
  });

  it('an assistant message whose calls are not all answered before the next message: param its role, the ids listed', () => {
    expect(rejection('chat.completions', chat({ messages: [user, asking('a', 'b', 'c'), answer('b'), user] }))).toEqual(
      bad(null, 'messages.[1].role', unanswered('a, c')),
    );
    expect(rejection('chat.completions', chat({ messages: [user, asking('a'), { role: 'assistant', content: 'done' }] }))).toEqual(
      bad(null, 'messages.[1].role', unanswered('a')),
    );
  });

  it('accepts every call answered, in any order, several turns, and calls still open at the end', () => {
    const ok = [
      [user, asking('a', 'b'), answer('b'), answer('a'), { role: 'assistant', content: 'ok' }, user],
      [user, asking('a'), answer('a'), asking('b', 'c'), answer('c'), answer('b')],
      [user, asking('a', 'b')],
      [user, { role: 'assistant', function_call: { name: 'f', arguments: '{}' } }, { role: 'function', name: 'f', content: 'r' }],
    ];
    for (const messages of ok) expect(() => validate('chat.completions', chat({ messages }))).not.toThrow();
  });

  it('is judged after every message is well-formed', () => {
    expect(rejection('chat.completions', chat({ messages: [answer('a'), { role: 'user', content: 5 }] })).param).toBe('messages[1].content');
  });
});
