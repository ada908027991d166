/**
 * What the gateway's rate-limit tests share: the two counter stores a gateway can run on, and the
 * SDK's view of a 429.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect } from 'vitest';
import { FakeClock } from 'tollgate';
import { startTestGateway, type TestGateway } from './gateway.js';
import { rejection } from './rejection.js';

/**
 * A gateway on the memory counter store, on a clock that does not move (every figure exact), and
 * one on Redis under its own prefix (Redis's clock is its own: daily limits stay exact while a test runs).
 */
export const COUNTER_KINDS = [
  ['memory', () => startTestGateway({}, { clock: new FakeClock() })],
  ['redis', () => startTestGateway({}, { redisPrefix: true })],
] as const;

/** Awaits a call that must fail with the SDK's RateLimitError (429), and returns it. */
export async function rateLimited(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.RateLimitError>> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(OpenAI.RateLimitError);
  return e as InstanceType<typeof OpenAI.RateLimitError>;
}

/** The message as sent (the SDK prefixes the status to `e.message`). */
export const wireMessage = (e: InstanceType<typeof OpenAI.APIError>): string => (e.error as { message: string }).message;

/** A gateway started once for the enclosing describe block (before its tests, closed after them). */
export function gatewayForBlock(start: () => Promise<TestGateway>): () => TestGateway {
  let gw: TestGateway | undefined;
  beforeAll(async () => {
    gw = await start();
  }, 120_000);
  afterAll(() => gw?.close());
  return () => gw!;
}
