/** Builders for the HTTP engine's tests: models, deployments, calls, and reading results. */
import { expect } from 'vitest';
import { FakeClock, type Clock, type BreakerSettings, type Deployment, type ModelConfig, type Timeouts, ApiError, UpstreamHttpError } from 'tollgate';
import type { EngineCall, EngineResult } from '../../src/upstream/engine.js';
import { OpenAICompatibleEngine, type OpenAICompatibleDeps } from '../../src/upstream/openai-compatible/index.js';
import { rejection } from '../support/rejection.js';

/** Generous defaults: only the tests about timeouts make them small. */
export const TIMEOUTS: Timeouts = { connect_ms: 2_000, first_byte_ms: 5_000, idle_ms: 5_000, total_ms: 20_000 };

export function deployment(name: string, baseUrl: string, over: Partial<Omit<Deployment, 'timeouts'>> & { timeouts?: Partial<Timeouts> } = {}): Deployment {
  const { timeouts, ...rest } = over;
  return { name, base_url: baseUrl, api_key_env: null, model: 'upstream-model', headers: {}, weight: 1, responses_api: 'chat', ...rest, timeouts: { ...TIMEOUTS, ...timeouts } };
}

const SIM = { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 64, max_queue: 256, faults: {}, allow_fault_header: false, seed: 0 };

export function model(name: string, deployments: Deployment[], over: Partial<Omit<ModelConfig, 'breaker'>> & { breaker?: Partial<BreakerSettings> } = {}): ModelConfig {
  const { breaker, ...rest } = over;
  return {
    name,
    provider: 'openai-compatible',
    type: 'chat',
    context_window: 8192,
    max_output_tokens: 1024,
    pricing: { input_per_1m: 1, output_per_1m: 2 },
    simulator: SIM,
    deployments,
    admission: null,
    fallbacks: [],
    owned_by: 'tollgate',
    created: 1_767_225_600,
    ...rest,
    breaker: { consecutive_failures: 1000, error_rate: 0, window: 20, open_ms: 30_000, ...breaker },
  };
}

/** A simulator-provider model (for `startSimulatorServer`). */
export function simModel(name: string): ModelConfig {
  return { ...model(name, []), provider: 'simulator' };
}

export function engine(m: ModelConfig, deps: Partial<OpenAICompatibleDeps> & { clock?: Clock } = {}): OpenAICompatibleEngine {
  return new OpenAICompatibleEngine(m, { clock: new FakeClock(), env: {}, overloadStatus: 429, ...deps });
}

export function chatCall(over: Partial<EngineCall> = {}): EngineCall {
  const stream = over.stream ?? false;
  return {
    endpoint: 'chat.completions',
    body: { model: 'gateway-model', messages: [{ role: 'user', content: 'Say hello.' }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) },
    stream,
    clientWantsUsage: false,
    requestId: 'req_test',
    signal: new AbortController().signal,
    ...over,
  };
}

export { rejection };

export async function apiError(p: Promise<unknown>, id: string): Promise<ApiError> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(ApiError);
  expect((e as ApiError).entry.id).toBe(id);
  return e as ApiError;
}

export async function upstreamHttpError(p: Promise<unknown>): Promise<UpstreamHttpError> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(UpstreamHttpError);
  return e as UpstreamHttpError;
}

export function asStream(r: EngineResult): AsyncIterable<Record<string, unknown>> {
  if (r.kind !== 'stream') throw new Error(`expected a stream, got ${r.kind}`);
  return r.chunks;
}

/** Reads a stream to the end: the chunks, and the error it ended with, if any. */
export async function drain(chunks: AsyncIterable<Record<string, unknown>>): Promise<{ chunks: Record<string, unknown>[]; error: unknown }> {
  const out: Record<string, unknown>[] = [];
  try {
    for await (const c of chunks) out.push(c);
  } catch (error) {
    return { chunks: out, error };
  }
  return { chunks: out, error: undefined };
}

/** The text of chat chunks' deltas, joined. */
export function deltaText(chunks: Record<string, unknown>[]): string {
  return chunks.map((c) => ((c.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '')).join('');
}
