/**
 * Issue 10, item 10: a model that exists (GET /v1/models lists it) but is sent to an endpoint it
 * does not serve is answered as OpenAI answers it, not as a model that "does not exist"; through
 * the official SDK, with nothing charged.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 2 });
});
afterAll(async () => {
  await gw?.close();
});

type SdkError = InstanceType<typeof OpenAI.APIError> & { headers: Headers };
const failure = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected an error, got a result');
    },
    (e: unknown) => e as SdkError,
  );

describe('a model on the wrong endpoint', () => {
  it('both models are listed by GET /v1/models', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sim-small', 'sim-embed']));
  });

  it.each([
    ['v1/chat/completions', () => client.chat.completions.create({ model: 'sim-embed', messages: [{ role: 'user', content: 'hi' }] })],
    ['v1/completions', () => client.completions.create({ model: 'sim-embed', prompt: 'hi' })],
  ])('an embedding model on %s: 404 "This is not a chat model", param model, not retried', async (endpoint, call) => {
    const err = await failure(call());
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.message).toBe(`404 This is not a chat model and thus not supported in the ${endpoint} endpoint. Did you mean to use v1/embeddings?`);
    expect(err.type).toBe('invalid_request_error');
    expect(err.param).toBe('model');
    expect(err.code).toBeNull();
    expect(err.headers.get('x-should-retry')).toBe('false');
  });

  it('a chat model on v1/embeddings: 403 "You are not allowed to generate embeddings from this model"', async () => {
    const err = await failure(client.embeddings.create({ model: 'sim-small', input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.message).toBe('403 You are not allowed to generate embeddings from this model');
    expect(err.type).toBe('invalid_request_error');
    expect(err.param).toBeNull();
    expect(err.code).toBeNull();
    expect(err.headers.get('x-should-retry')).toBe('false');
  });

  it('a model that does not exist is still model_not_found', async () => {
    const err = await failure(client.embeddings.create({ model: 'sim-nothing', input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe('model_not_found');
  });
});
