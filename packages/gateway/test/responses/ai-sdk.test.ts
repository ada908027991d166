/**
 * The Vercel AI SDK's defaults against a real gateway: `openai('sim-small')` from `createOpenAI`
 * speaks the Responses API, and `generateText` / `streamText` work unmodified, usage included.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let openai: ReturnType<typeof createOpenAI>;
const paths: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  openai = createOpenAI({
    baseURL: gw.baseURL,
    apiKey: gw.apiKey,
    fetch: (input, init) => {
      paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
      return fetch(input, init);
    },
  });
});
afterAll(() => gw.close());

describe('the Vercel AI SDK with openai(model)', () => {
  it('generateText', async () => {
    paths.length = 0;
    const r = await generateText({ model: openai('sim-small'), prompt: 'Say hello.', maxOutputTokens: 40 });
    expect(paths).toEqual(['/v1/responses']);
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeLessThanOrEqual(40);
    expect(r.response.id).toMatch(/^resp_/);
    expect(['stop', 'length']).toContain(r.finishReason);
  });

  it('streamText gives the same text as generateText', async () => {
    const body = { model: openai('sim-small'), system: 'Be brief.', prompt: 'Same text twice.', maxOutputTokens: 40 };
    const plain = await generateText(body);
    paths.length = 0;
    const s = streamText(body);
    let text = '';
    for await (const part of s.textStream) text += part;
    expect(paths).toEqual(['/v1/responses']);
    expect(text).toBe(plain.text);
    const usage = await s.usage;
    expect(usage.inputTokens).toBe(plain.usage.inputTokens);
    expect(usage.outputTokens).toBe(plain.usage.outputTokens);
    expect(await s.finishReason).toBe(plain.finishReason);
  });

  it('a tool call, executed, and the answer after it', async () => {
    const r = await generateText({
      model: openai('sim-small'),
      prompt: 'Weather in Lisbon?',
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
          execute: async ({ city }) => ({ city, temp: 22 }),
        }),
      },
      toolChoice: 'required',
      stopWhen: ({ steps }) => steps.length >= 2,
    });
    expect(r.steps[0]!.toolCalls).toHaveLength(1);
    expect(r.steps[0]!.toolCalls[0]!.toolName).toBe('get_weather');
    expect(r.steps[0]!.toolResults[0]!.output).toMatchObject({ temp: 22 });
  });
});
