/**
 * Structured outputs through the gateway and its simulator: `response_format` json_schema on chat
 * and `text.format` json_schema on Responses are answered with JSON that satisfies the schema, so
 * the official SDK's `parse()` helpers and the AI SDK's `generateObject` work, streamed or not,
 * and the usage counts the JSON that was produced.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, streamObject } from 'ai';
import OpenAI from 'openai';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let client: OpenAI;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  openai = createOpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey });
});
afterAll(() => gw.close());

const Event = z.object({
  name: z.string(),
  kind: z.enum(['meeting', 'call', 'trip']),
  attendees: z.array(z.object({ name: z.string(), age: z.number().int(), vip: z.boolean() })),
  venue: z.union([z.object({ city: z.string(), floor: z.number() }), z.null()]),
  note: z.string().nullable(),
  version: z.literal('v1'),
});

const messages = [{ role: 'user' as const, content: 'Plan an event.' }];

describe('chat completions with response_format', () => {
  it('parse() gets JSON that satisfies the schema, and usage counts it', async () => {
    const r = await client.chat.completions.parse({ model: 'sim-small', messages, response_format: zodResponseFormat(Event, 'event') });
    const choice = r.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(Event.parse(choice.message.parsed)).toEqual(choice.message.parsed);
    expect(r.usage!.completion_tokens).toBe(countText(choice.message.content!));
  });

  it('streamed: the JSON is split over deltas and joins to the plain answer', async () => {
    const body = { model: 'sim-small', messages, seed: 3, response_format: zodResponseFormat(Event, 'event') };
    const plain = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      const d = c.choices[0]?.delta?.content;
      if (d) deltas.push(d);
      if (c.usage) usage = c.usage;
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(plain.choices[0]!.message.content);
    Event.parse(JSON.parse(deltas.join('')));
    expect(usage!.completion_tokens).toBe(plain.usage!.completion_tokens);
  });

  it('the SDK stream helper parses the streamed JSON', async () => {
    const stream = client.chat.completions.stream({ model: 'sim-small', messages, response_format: zodResponseFormat(Event, 'event') });
    const final = await stream.finalChatCompletion();
    Event.parse(final.choices[0]!.message.parsed);
  });

  it('json_object answers a JSON object', async () => {
    const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Answer in JSON.' }], response_format: { type: 'json_object' } });
    const value: unknown = JSON.parse(r.choices[0]!.message.content!);
    expect(value).toBeTypeOf('object');
    expect(Array.isArray(value)).toBe(false);
  });

  it('a cap too small for the JSON cuts it with length, and usage is the cap', async () => {
    const r = await client.chat.completions.create({ model: 'sim-small', messages, max_tokens: 5, response_format: zodResponseFormat(Event, 'event') });
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(5);
    expect(r.usage!.completion_tokens).toBe(countText(r.choices[0]!.message.content!));
  });
});

describe('responses with text.format json_schema', () => {
  it('responses.parse() gets JSON that satisfies the schema', async () => {
    const r = await client.responses.parse({ model: 'sim-small', input: 'Plan an event.', text: { format: zodTextFormat(Event, 'event') } });
    expect(Event.parse(r.output_parsed)).toEqual(r.output_parsed);
    expect(r.usage!.output_tokens).toBe(countText(r.output_text));
  });

  it('streamed, the text deltas join to valid JSON', async () => {
    const stream = client.responses.stream({ model: 'sim-small', input: 'Plan an event.', text: { format: zodTextFormat(Event, 'event') } });
    let deltas = 0;
    stream.on('response.output_text.delta', () => deltas++);
    const final = await stream.finalResponse();
    expect(deltas).toBeGreaterThan(1);
    Event.parse(final.output_parsed);
  });
});

describe('the AI SDK generateObject', () => {
  it('on openai.chat(...)', async () => {
    const r = await generateObject({ model: openai.chat('sim-small'), schema: Event, prompt: 'Plan an event.' });
    Event.parse(r.object);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
  });

  it('on openai.responses(...)', async () => {
    const r = await generateObject({ model: openai.responses('sim-small'), schema: Event, prompt: 'Plan an event.' });
    Event.parse(r.object);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streamObject on openai.responses(...)', async () => {
    const s = streamObject({ model: openai.responses('sim-small'), schema: Event, prompt: 'Plan an event.' });
    let partials = 0;
    for await (const _ of s.partialObjectStream) partials++;
    expect(partials).toBeGreaterThan(1);
    Event.parse(await s.object);
  });
});
