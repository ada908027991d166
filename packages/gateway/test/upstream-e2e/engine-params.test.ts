/**
 * Issue 10, item 9: engine-specific request parameters (vLLM, llama.cpp, Ollama) reach the
 * upstream when the model's config names them (`extra_params`) or forwards every unknown name
 * (`forward_unknown_params`); a model configured for neither keeps OpenAI's 400 and its upstream
 * never hears of the request. Through the official SDK, which sends extra body fields as given.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { completion, json, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { ask, rejection, upstreamModel, type SdkError } from './harness.js';

let up: FakeUpstream;
let gw: TestGateway;
let client: OpenAI;

/** What a vLLM user sends: sampling knobs, template switches and guided decoding. */
const ENGINE_PARAMS = {
  top_k: 20,
  min_p: 0.05,
  repetition_penalty: 1.1,
  chat_template_kwargs: { enable_thinking: false },
  guided_json: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
};

beforeAll(async () => {
  up = await startFakeUpstream((_, res) => json(res, 200, completion('ok')));
  gw = await startTestGateway({
    models: [
      upstreamModel('vllm', [{ base_url: up.baseUrl }], { extra_params: Object.keys(ENGINE_PARAMS) }),
      upstreamModel('llama-open', [{ base_url: up.baseUrl }], { forward_unknown_params: true }),
      upstreamModel('openai-only', [{ base_url: up.baseUrl }]),
    ],
  });
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 2 });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

/** The SDK's types know only OpenAI's parameters; the body goes out as given. */
const create = (body: Record<string, unknown>) => client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);

describe('engine parameters', () => {
  it('extra_params: the named parameters reach the upstream exactly as sent', async () => {
    const before = up.requests.length;
    const r = await create({ ...ask('vllm'), temperature: 0.2, ...ENGINE_PARAMS });
    expect(r.choices[0]!.message.content).toBe('ok');
    expect(up.requests.length - before).toBe(1);
    expect(up.requests.at(-1)!.body).toMatchObject({ ...ENGINE_PARAMS, temperature: 0.2 });
  });

  it('extra_params: a name not on the list is still OpenAI\'s 400, naming only it; nothing is sent upstream', async () => {
    const before = up.requests.length;
    const err = (await rejection(create({ ...ask('vllm'), ...ENGINE_PARAMS, typical_p: 0.9 }))) as SdkError;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toBe('400 Unrecognized request argument supplied: typical_p');
    expect(up.requests.length).toBe(before);
  });

  it('forward_unknown_params: any name reaches the upstream', async () => {
    const before = up.requests.length;
    await create({ ...ask('llama-open'), ...ENGINE_PARAMS, mirostat: 2, n_probs: 3 });
    expect(up.requests.length - before).toBe(1);
    expect(up.requests.at(-1)!.body).toMatchObject({ ...ENGINE_PARAMS, mirostat: 2, n_probs: 3 });
  });

  it('a model configured for neither keeps OpenAI\'s 400 for every unknown name; the upstream hears nothing', async () => {
    const before = up.requests.length;
    const one = (await rejection(create({ ...ask('openai-only'), top_k: 20 }))) as SdkError;
    expect(one.status).toBe(400);
    expect(one.message).toBe('400 Unrecognized request argument supplied: top_k');
    expect(one.type).toBe('invalid_request_error');
    expect(one.code).toBeNull();
    const many = (await rejection(create({ ...ask('openai-only'), ...ENGINE_PARAMS }))) as SdkError;
    expect(many.message).toBe('400 Unrecognized request arguments supplied: chat_template_kwargs, guided_json, min_p, repetition_penalty, top_k');
    expect(up.requests.length).toBe(before);
  });

  it('OpenAI\'s own parameters are still checked on a model that forwards extras', async () => {
    const err = (await rejection(create({ ...ask('vllm'), top_k: 20, temperature: 7 }))) as SdkError;
    expect(err.status).toBe(400);
    expect(err.param).toBe('temperature');
  });
});

describe('config', () => {
  it('extra_params must be parameter names, forward_unknown_params a boolean', () => {
    const doc = (over: Record<string, unknown>) => ({ models: [upstreamModel('m', [{ base_url: 'http://127.0.0.1:1/v1' }], over)] });
    expect(() => parseConfig(doc({ extra_params: ['top_k', 'bad name'] }), {})).toThrow(/models\[0\]\.extra_params: "bad name" is not a parameter name/);
    expect(() => parseConfig(doc({ forward_unknown_params: 'yes' }), {})).toThrow(/forward_unknown_params/);
    const ok = parseConfig(doc({ extra_params: ['top_k'], forward_unknown_params: false }), {});
    expect(ok.models[0]).toMatchObject({ extra_params: ['top_k'], forward_unknown_params: false });
  });
});
