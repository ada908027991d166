import { CATALOG, renderErrorBody } from '@tollgate/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClock, ApiError, parseFault } from 'tollgate';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, chatBody, json, simModel } from './helpers.js';

const engine = (faults: Record<string, number> = {}, random?: () => number) =>
  new SimulatorEngine(simModel({ faults }), { clock: new FakeClock(), ...(random ? { random } : {}) });

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('simulator: fault injection', () => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('call.fault %s throws exactly that catalog error, fully worded', async (id, e) => {
    for (const endpoint of ['chat.completions', 'embeddings'] as const) {
      const eng = engine();
      const err = await failure(eng.call(call(endpoint, chatBody('x'), { fault: id })));
      expect(err.entry.id).toBe(id);
      expect(err.status).toBe(e.status);
      const body = renderErrorBody(err.entry, err.vars, { publicUrl: 'http://sim', param: err.param });
      expect(body.error.message).not.toMatch(/\{[a-z_]+\}/);
      // Read as the gateway would send it: no doubled determiner ("for your this organization").
      expect(body.error.message).not.toMatch(/\b(your|the|a|an) (this|your|the|a|an)\b/i);
      // Only a rate limit carries a wait; other retryable errors carry no hint (clients back off).
      if (!e.retryable) expect(err.headers).toEqual({ 'x-should-retry': 'false' });
      else if (e.kind === 'rate_limit') expect(err.headers).toEqual({ 'retry-after-ms': '1000', 'retry-after': '1' });
      else expect(err.headers).toEqual({});
      // A fault before any output takes no capacity.
      expect(eng.stats()).toEqual({ inFlight: 0, queued: 0, maxInFlightSeen: 0, served: 0 });
    }
  });

  it('fills the variables a message needs with plausible values', async () => {
    const e = engine();
    const rl = await failure(e.call(call('chat.completions', chatBody('x'), { fault: 'rate_limit_tokens' })));
    expect(renderErrorBody(rl.entry, rl.vars, { publicUrl: 'http://sim' }).error.message).toBe(
      'Rate limit reached for sim-test in organization org-simulator on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 1s. Visit http://sim/limits to learn more.',
    );
    const key = await failure(e.call(call('chat.completions', chatBody('x'), { fault: 'invalid_api_key' })));
    expect(String(key.vars.key)).toMatch(/^sk-simul\*+0000$/);
    const ctx = await failure(e.call(call('chat.completions', chatBody('x'), { fault: 'context_length_exceeded' })));
    expect(ctx.vars.context_window).toBe(8192);
    const typed = await failure(e.call(call('chat.completions', chatBody('x'), { fault: 'invalid_type' })));
    expect(typed.param).toBe('messages');
  });

  it('an unknown fault id, or a malformed value, is invalid_fault naming the value', async () => {
    for (const bad of ['no_such_error', 'server_error@', 'server_error@x', 'Server_Error', '', 'disconnect@2']) {
      const err = await failure(engine().call(call('chat.completions', chatBody('x'), { fault: bad })));
      expect(err.entry.id).toBe('invalid_fault');
      expect(err.vars.fault).toBe(bad);
    }
  });

  it('parses the fault syntax', () => {
    expect(parseFault('server_error')).toEqual({ kind: 'error', id: 'server_error', afterChunks: null });
    expect(parseFault('rate_limit_requests@4')).toEqual({ kind: 'error', id: 'rate_limit_requests', afterChunks: 4 });
    expect(parseFault('stall')).toEqual({ kind: 'stall', afterChunks: 0 });
    expect(parseFault('stall@7')).toEqual({ kind: 'stall', afterChunks: 7 });
    expect(parseFault('disconnect@2')).toEqual({ kind: 'disconnect', afterChunks: 2 });
  });

  it('<id>@<n> on a non-streamed call fails before any output', async () => {
    const err = await failure(engine().call(call('chat.completions', chatBody('x'), { fault: 'server_error@3' })));
    expect(err.entry.id).toBe('server_error');
  });

  it('rolls each configured probability with the injected random, in order', async () => {
    const rolls = [0.4, 0.9, 0.1, 0.9, 0.9, 0.6, 0.3];
    const e = engine({ rate_limit_requests: 0.5, upstream_unavailable: 0.25 }, () => rolls.shift()!);
    // 0.4 < 0.5: the first fault fires and the second is not rolled.
    expect((await failure(e.call(call('chat.completions', chatBody('x'))))).entry.id).toBe('rate_limit_requests');
    // 0.9, then 0.1 < 0.25: the second fires.
    expect((await failure(e.call(call('chat.completions', chatBody('x'))))).entry.id).toBe('upstream_unavailable');
    // 0.9, 0.9: no fault.
    expect(json(await e.call(call('chat.completions', chatBody('x')))).object).toBe('chat.completion');
    // 0.6, 0.3: no fault.
    expect(json(await e.call(call('chat.completions', chatBody('x')))).object).toBe('chat.completion');
    expect(rolls).toEqual([]);
  });

  it('a forced fault skips the random rolls, and probability 1 always fires', async () => {
    const e = engine({ server_error: 1 }, () => {
      throw new Error('must not roll');
    });
    expect((await failure(e.call(call('chat.completions', chatBody('x'), { fault: 'insufficient_quota' })))).entry.id).toBe('insufficient_quota');
    const always = engine({ server_error: 1 }, () => 0.999999);
    for (let i = 0; i < 20; i++) expect((await failure(always.call(call('chat.completions', chatBody('x'))))).entry.id).toBe('server_error');
  });

  it('refuses a config naming a fault that is not in the catalog', () => {
    expect(() => engine({ not_an_error: 0.1 })).toThrow(/unknown fault id 'not_an_error'/);
  });
});
