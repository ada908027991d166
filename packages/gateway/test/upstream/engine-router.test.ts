import { CATALOG, type ErrorId } from '@tollgate/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClock, type ModelConfig, ApiError, UpstreamHttpError } from 'tollgate';
import type { Engine, EngineCall, EngineResult } from '../../src/upstream/engine.js';
import { EngineRouter } from '../../src/upstream/engine-router.js';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { closedPort } from './fake-upstream.js';
import { apiError, asStream, chatCall, deployment, drain, engine, model, rejection, simModel } from './helpers.js';

/** An engine that answers from a script and records the calls it got. */
class ScriptedEngine implements Engine {
  readonly calls: EngineCall[] = [];
  constructor(
    readonly name: string,
    private readonly answer: (call: EngineCall) => EngineResult | Promise<EngineResult>,
  ) {}
  async call(call: EngineCall): Promise<EngineResult> {
    this.calls.push(call);
    return this.answer(call);
  }
}

const okJson = (who: string) => (): EngineResult => ({ kind: 'json', body: { who }, usage: undefined });
const fails = (err: unknown) => () => {
  throw err;
};

function router(primary: ScriptedEngine, fallbacks: ScriptedEngine[], fallbackNames = fallbacks.map((f) => f.name)) {
  const engines = new Map<string, Engine>([primary, ...fallbacks].map((e) => [e.name, e]));
  const models = new Map<string, ModelConfig>([[primary.name, model(primary.name, [], { fallbacks: fallbackNames })]]);
  return new EngineRouter(engines, models);
}

describe('engine router', () => {
  it('serves from the model itself when it can; fallbacks are not touched', async () => {
    const p = new ScriptedEngine('main', okJson('main'));
    const f = new ScriptedEngine('backup', okJson('backup'));
    const r = await router(p, [f]).call('main', chatCall());
    expect(r).toEqual({ result: okJson('main')(), servedBy: 'main' });
    expect(f.calls).toHaveLength(0);
  });

  it('tries fallbacks in order with the body model replaced; the first that serves wins', async () => {
    const p = new ScriptedEngine('main', fails(new ApiError('engine_overloaded')));
    const f1 = new ScriptedEngine('f1', fails(new ApiError('server_error')));
    const f2 = new ScriptedEngine('f2', okJson('f2'));
    const f3 = new ScriptedEngine('f3', okJson('f3'));
    const call = chatCall();
    const r = await router(p, [f1, f2, f3]).call('main', call);
    expect(r.servedBy).toBe('f2');
    expect(f1.calls[0]!.body.model).toBe('f1');
    expect(f2.calls[0]!.body.model).toBe('f2');
    expect(f2.calls[0]!.body.messages).toEqual(call.body.messages);
    expect(call.body.model).toBe('gateway-model'); // the caller's call is not modified
    expect(f3.calls).toHaveLength(0);
  });

  it("when every fallback fails too, the first model's error is thrown (the very object)", async () => {
    const first = new ApiError('server_is_overloaded', {}, { headers: { 'retry-after-ms': '1000', 'retry-after': '1' } });
    const p = new ScriptedEngine('main', fails(first));
    const f1 = new ScriptedEngine('f1', fails(new ApiError('upstream_connection_failed')));
    const f2 = new ScriptedEngine('f2', fails(new UpstreamHttpError(400, { error: {} }, {})));
    expect(await rejection(router(p, [f1, f2]).call('main', chatCall()))).toBe(first);
    expect([f1.calls.length, f2.calls.length]).toEqual([1, 1]);
  });

  /** The engine's failures: overload, upstream and server errors, never the caller's or the gateway's own state. */
  const FALLBACK_ERRORS: readonly ErrorId[] = [
    'engine_overloaded',
    'server_is_overloaded',
    'server_error',
    'upstream_connection_failed',
    'upstream_unavailable',
    'upstream_connect_timeout',
    'upstream_first_byte_timeout',
    'upstream_idle_timeout',
    'upstream_total_timeout',
    'upstream_invalid_response',
    'upstream_authentication_failed',
    'upstream_quota_exhausted',
  ];

  it('the catalog marks exactly the engine failures as curable by a fallback', () => {
    expect(CATALOG.filter((e) => e.fallback).map((e) => e.id).sort()).toEqual([...FALLBACK_ERRORS].sort());
  });

  it.each(FALLBACK_ERRORS)('falls back on %s', async (id) => {
    const p = new ScriptedEngine('main', fails(new ApiError(id, { timeout: '1s' })));
    const f = new ScriptedEngine('f', okJson('f'));
    expect((await router(p, [f]).call('main', chatCall())).servedBy).toBe('f');
  });

  it("never falls back on the caller's errors, on non-catalog errors, or for a client that went away", async () => {
    const cases: unknown[] = [
      new UpstreamHttpError(400, { error: { message: 'bad' } }, { 'x-should-retry': 'false' }),
      new ApiError('context_length_exceeded', { context_window: 1, prompt_tokens: 2 }),
      new ApiError('rate_limit_tokens'),
      new TypeError('a bug'),
    ];
    for (const err of cases) {
      const f = new ScriptedEngine('f', okJson('f'));
      expect(await rejection(router(new ScriptedEngine('main', fails(err)), [f]).call('main', chatCall()))).toBe(err);
      expect(f.calls).toHaveLength(0);
    }
    const ac = new AbortController();
    const f = new ScriptedEngine('f', okJson('f'));
    const p = new ScriptedEngine('main', () => {
      ac.abort('gone');
      throw new ApiError('server_error');
    });
    await apiError(router(p, [f]).call('main', chatCall({ signal: ac.signal })), 'server_error');
    expect(f.calls).toHaveLength(0);
  });

  it('never falls back after the first byte: a stream that fails later fails to the caller', async () => {
    async function* broken() {
      yield { choices: [{ delta: { content: 'hi' } }] };
      throw new ApiError('upstream_connection_failed');
    }
    const p = new ScriptedEngine('main', () => ({ kind: 'stream', chunks: broken() }));
    const f = new ScriptedEngine('f', okJson('f'));
    const r = await router(p, [f]).call('main', chatCall({ stream: true }));
    const { chunks, error } = await drain(asStream(r.result));
    expect(chunks).toHaveLength(1);
    expect((error as ApiError).entry.id).toBe('upstream_connection_failed');
    expect(f.calls).toHaveLength(0);
  });

  it('unknown fallback names and the model itself are skipped', async () => {
    const p = new ScriptedEngine('main', fails(new ApiError('server_error')));
    const f = new ScriptedEngine('f', okJson('f'));
    expect((await router(p, [f], ['nope', 'main', 'f']).call('main', chatCall())).servedBy).toBe('f');
    expect(p.calls).toHaveLength(1);
  });

  it('an unknown model is a wiring bug, not a caller error', async () => {
    const p = new ScriptedEngine('main', okJson('main'));
    await expect(router(p, []).call('other', chatCall())).rejects.toThrow("no engine is configured for model 'other'");
  });

  it('over HTTP: an openai-compatible model with every deployment refusing falls back to the simulator', async () => {
    const [x, y] = await Promise.all([closedPort(), closedPort()]);
    const primary = engine(model('remote', [deployment('x', `http://127.0.0.1:${x}/v1`), deployment('y', `http://127.0.0.1:${y}/v1`)], { fallbacks: ['sim-small'] }));
    const sim = new SimulatorEngine(simModel('sim-small'), { clock: new FakeClock() });
    const models = new Map<string, ModelConfig>([
      ['remote', primary.model],
      ['sim-small', sim.model],
    ]);
    const r = await new EngineRouter(new Map<string, Engine>([['remote', primary], ['sim-small', sim]]), models).call('remote', chatCall());
    expect(r.servedBy).toBe('sim-small');
    expect(r.result.kind).toBe('json');
    await primary.close();
  });
});
