/**
 * A response's `service_tier` is the tier that served it, as in OpenAI's Response object, never
 * the one the request asked for: the built-in simulator serves every request as `default` (as its
 * chat answers say), and an engine reached through Chat Completions gives its own tier, in the
 * body and in the streamed events.
 */
import { FakeClock } from 'tollgate';
import { describe, expect, it } from 'vitest';
import { respondViaChat } from '../../src/responses/via-chat.js';
import type { EngineCall, EngineResult } from '../../src/upstream/engine.js';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, collect, json, simModel } from '../simulator/helpers.js';

const ASKED = ['auto', 'default', 'flex', 'scale', 'priority'] as const;
const body = (tier: string, extra: Record<string, unknown> = {}) => ({ model: 'sim-test', input: 'Hello', service_tier: tier, ...extra });
const engine = () => new SimulatorEngine(simModel(), { clock: new FakeClock() });
const tiersOf = (events: Record<string, any>[]) => events.filter((e) => e.response).map((e) => [e.type, e.response.service_tier]);

describe('Responses service_tier', () => {
  it.each(ASKED)('the simulator answers "default" when "%s" is asked for, as its chat answer does', async (tier) => {
    const e = engine();
    expect(json(await e.call(call('responses', body(tier)))).service_tier).toBe('default');
    expect(json(await e.call(call('chat.completions', { model: 'sim-test', messages: [{ role: 'user', content: 'Hello' }], service_tier: tier }))).service_tier).toBe('default');
    const events = await collect(await e.call(call('responses', body(tier, { stream: true }))));
    expect(tiersOf(events)).toEqual([
      ['response.created', 'default'],
      ['response.in_progress', 'default'],
      ['response.completed', 'default'],
    ]);
  });

  const chatAnswer = { id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: 'up', service_tier: 'flex', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } };
  async function* chatChunks(): AsyncGenerator<Record<string, unknown>> {
    const head = { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up', service_tier: 'flex' };
    yield { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi.' }, finish_reason: null }] };
    yield { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    yield { ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } };
  }
  const upstream = async (c: EngineCall): Promise<EngineResult> =>
    c.stream ? { kind: 'stream', chunks: chatChunks() } : { kind: 'json', body: chatAnswer, usage: chatAnswer.usage };

  it('an engine reached through chat gives the tier it served in, not the one asked for', async () => {
    const r = await respondViaChat(call('responses', body('priority')), 0, upstream);
    expect(json(r).service_tier).toBe('flex');
    const events = await collect(await respondViaChat(call('responses', body('priority', { stream: true })), 0, upstream));
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.at(-1)!.response.service_tier).toBe('flex');
    // Before the engine has said, the response is in OpenAI's standard tier, not the asked-for one.
    expect(events[0]!.response.service_tier).toBe('default');
  });
});
