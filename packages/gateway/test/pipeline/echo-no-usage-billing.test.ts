/**
 * A legacy completion with `echo: true` from an engine that reports no usage is billed for the
 * text the engine generated, exactly: an echoed prompt is taken off a choice only when that
 * choice's text starts with it (an engine that ignores `echo` is not billed less, nor is a stream
 * cut before a choice's first chunk).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';

const PROMPT = 'Tell me a story about a fox';
/** Each choice's generated text, as the pieces a stream sends. */
const GENERATED = [
  ['Once', ' upon a time', ' a fox ran.'],
  ['A red', ' fox', ' slept all day.'],
];

/** How the fake engine answers: whether it honours `echo`, and how many choices a stream reaches. */
let engine = { echoes: true, streamedChoices: 2 };

let up: FakeUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const echo = engine.echoes && req.body.echo === true ? PROMPT : '';
    const base = { id: 'cmpl-fake', object: 'text_completion', created: 1_767_225_600, model: 'upstream-model' };
    const choice = (index: number, text: string, finish: string | null) => ({ index, text, logprobs: null, finish_reason: finish });
    if (!req.body.stream) return json(res, 200, { ...base, choices: GENERATED.map((g, i) => choice(i, echo + g.join(''), 'stop')) }); // no usage
    // The echo leads each choice's first chunk; choices interleave piece by piece; no usage chunk.
    const choices = GENERATED.slice(0, engine.streamedChoices);
    const frames = [0, 1, 2].flatMap((k) => choices.map((g, i) => ({ ...base, choices: [choice(i, (k === 0 ? echo : '') + g[k], null)] })));
    return sse(res, [...frames, ...choices.map((_, i) => ({ ...base, choices: [choice(i, '', 'stop')] }))]);
  });
  gw = await startTestGateway({ models: [upstreamModel('nousage', [{ base_url: up.baseUrl }])], default_tier: 'unlimited', usage: { flush_interval_ms: 20 } });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

/** The completion tokens billed for one request of a new tenant. */
async function billed(tenant: string, stream: boolean): Promise<number> {
  const t = await gw.newTenant(tenant);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey, maxRetries: 0 });
  const req = { model: 'nousage', prompt: PROMPT, echo: true, n: 2, max_tokens: 20 };
  if (stream) for await (const _ of await client.completions.create({ ...req, stream: true })) void _;
  else await client.completions.create(req);
  await gw.gateway.services.ledger.flush();
  const [e] = await billingDb(gw.gateway.services.store).selectFrom('usage_events').select(['completion_tokens', 'estimated']).where('org_id', '=', t.orgId).execute();
  expect(Number(e!.estimated)).toBe(1);
  return Number(e!.completion_tokens);
}

describe('an echoed legacy completion from an engine that reports no usage', () => {
  // The gateway counts the output as it came, each piece on its own: choice by choice in an answer,
  // chunk by chunk on a stream (joined, the choices' texts would merge tokens).
  const sum = (texts: string[]) => texts.reduce((n, t) => n + countText(t), 0);
  const plain = sum(GENERATED.map((g) => g.join('')));
  const streamed = (choices: number) => sum([0, 1, 2].flatMap((k) => GENERATED.slice(0, choices).map((g) => g[k]!)));

  it.each([
    { echoes: true, stream: false, expected: plain },
    { echoes: false, stream: false, expected: plain },
    { echoes: true, stream: true, expected: streamed(2) },
    { echoes: false, stream: true, expected: streamed(2) },
  ])('is billed the generated text (engine echoes: $echoes, stream: $stream)', async ({ echoes, stream, expected }) => {
    engine = { echoes, streamedChoices: 2 };
    expect(await billed(`echo-${echoes}-${stream}`, stream)).toBe(expected);
  });

  it('is billed the generated text of a stream that ends before a choice begins', async () => {
    engine = { echoes: true, streamedChoices: 1 };
    expect(await billed('echo-cut', true)).toBe(streamed(1));
  });
});
