/**
 * Property tests: whatever JSON arrives, validateInference returns a well-formed
 * ValidatedRequest or throws an ApiError that renders to a complete 4xx OpenAI error body.
 * Never any other exception, never a half-filled message, never an edit of the caller's body.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from 'tollgate';
import type { InferenceEndpoint } from '../../src/upstream/engine.js';
import type { ValidatedRequest } from '../../src/validation/index.js';
import { anyJson, ENDPOINTS, knownParamsRandomValues, mutatedBody, validBody } from './arbitraries.js';
import { render, validate } from './fixtures.js';

const RUNS = 400;

/** Throws (failing the property) unless `err` is a 4xx ApiError with a complete rendering. */
function expectWellFormedRejection(err: unknown): void {
  if (!(err instanceof ApiError)) throw err;
  const r = render(err);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  const { status: _, ...error } = r;
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof r.message).toBe('string');
  expect(r.message.length).toBeGreaterThan(0);
  expect(typeof r.type).toBe('string');
  expect(r.param === null || typeof r.param === 'string').toBe(true);
  expect(r.code === null || typeof r.code === 'string').toBe(true);
  // Every placeholder of the template has its value: no "{param}" reaches a client.
  for (const [, name] of err.entry.message.matchAll(/\{([a-z_]+)\}/g)) {
    if (name !== 'docs_url') expect(err.vars, `${err.entry.id} lacks {${name}}`).toHaveProperty(name!);
  }
  expect(() => JSON.stringify({ error }) as string).not.toThrow();
}

function expectWellFormedResult(endpoint: InferenceEndpoint, body: unknown, r: ValidatedRequest): void {
  expect(r.body).toBe(body);
  expect(r.endpoint).toBe(endpoint);
  expect(r.model.type).toBe(endpoint === 'embeddings' ? 'embedding' : 'chat');
  expect(Number.isInteger(r.promptTokens) && r.promptTokens >= 0).toBe(true);
  expect(Number.isInteger(r.maxOutputTokens) && r.maxOutputTokens >= 0).toBe(true);
  expect(Number.isInteger(r.n) && r.n >= 1 && r.n <= 128).toBe(true);
  const b = r.body as Record<string, unknown>;
  expect(r.stream).toBe(b.stream === true);
  if (r.includeUsage) expect(r.stream).toBe(true);
  if (endpoint === 'embeddings') expect(r.maxOutputTokens).toBe(0);
}

/** Runs the validator on `body`: returns normally or throws only a well-formed ApiError. */
function judge(endpoint: InferenceEndpoint, body: unknown): 'accepted' | 'rejected' {
  const before = JSON.stringify(body);
  let outcome: 'accepted' | 'rejected';
  try {
    expectWellFormedResult(endpoint, body, validate(endpoint, body));
    outcome = 'accepted';
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    expectWellFormedRejection(err);
    outcome = 'rejected';
  }
  expect(JSON.stringify(body)).toBe(before);
  return outcome;
}

describe.each(ENDPOINTS)('%s', (endpoint) => {
  it('accepts every generated valid body', () => {
    fc.assert(
      fc.property(validBody(endpoint), (body) => {
        expect(judge(endpoint, body)).toBe('accepted');
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any JSON value with a result or a well-formed 4xx', () => {
    fc.assert(fc.property(anyJson, (body) => void judge(endpoint, body)), { numRuns: RUNS });
  });

  it("answers its own parameters set to random JSON with a result or a well-formed 4xx", () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(knownParamsRandomValues(endpoint), (body) => {
        outcomes[judge(endpoint, body)]++;
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both sides of the validator, or the property proves little.
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.accepted).toBeGreaterThan(0);
  });

  it('answers random mutations of valid bodies with a result or a well-formed 4xx', () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(mutatedBody(endpoint), (body) => {
        outcomes[judge(endpoint, body)]++;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.accepted).toBeGreaterThan(0);
  });
});
