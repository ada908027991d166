import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG, LOCALES, entry, matchEntry, renderErrorBody, renderErrorDocsFile } from '@tollgate/protocol';

describe('the error catalog', () => {
  it('has unique ids and complete bilingual texts', () => {
    expect(new Set(CATALOG.map((e) => e.id)).size).toBe(CATALOG.length);
    for (const e of CATALOG) {
      for (const l of LOCALES) {
        expect(e.title[l].length, `${e.id} title ${l}`).toBeGreaterThan(0);
        expect(e.cause[l].length, `${e.id} cause ${l}`).toBeGreaterThan(5);
        expect(e.fix[l].length, `${e.id} fix ${l}`).toBeGreaterThan(5);
      }
      expect(e.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('never points users at another platform', () => {
    for (const e of CATALOG) expect(e.message, e.id).not.toMatch(/openai\.com/);
  });

  it('marks every 4xx caller mistake as not retryable', () => {
    for (const e of CATALOG) if (e.kind === 'invalid_request' || e.kind === 'authentication' || e.kind === 'permission') expect(e.retryable, e.id).toBe(false);
    expect(entry('insufficient_quota').retryable).toBe(false);
    expect(entry('request_too_large').retryable).toBe(false);
    expect(entry('rate_limit_tokens').retryable).toBe(true);
  });

  it('renders all four keys with the docs URL of this gateway', () => {
    const body = renderErrorBody(entry('insufficient_quota'), {}, { publicUrl: 'https://gw.example/' });
    expect(body).toEqual({
      error: {
        message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://gw.example/docs/errors#insufficient_quota.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
  });

  it('renders the rate-limit message OpenAI sends, byte for byte apart from the URL', () => {
    const body = renderErrorBody(entry('rate_limit_tokens'), { model: 'sim-small', organization: 'org-abc', dimension: 'tokens per min', abbr: 'TPM', limit: 3000, used: 2990, requested: 150, wait: '2.2s', limits_page: 'limits' }, { publicUrl: 'http://gw' });
    expect(body.error.message).toBe('Rate limit reached for sim-small in organization org-abc on tokens per min (TPM): Limit 3000, Used 2990, Requested 150. Please try again in 2.2s. Visit http://gw/limits to learn more.');
    expect(body.error.type).toBe('tokens');
    expect(body.error.code).toBe('rate_limit_exceeded');
  });

  it("links the console page a person needs where OpenAI links its platform's, under the public URL's path", () => {
    const at = { publicUrl: 'https://example.com/llm/' };
    expect(renderErrorBody(entry('missing_api_key'), {}, at).error.message).toMatch(/ You can obtain an API key from https:\/\/example\.com\/llm\/api-keys\.$/);
    expect(renderErrorBody(entry('invalid_api_key'), { key: 'sk-abc' }, at).error.message).toBe('Incorrect API key provided: sk-abc. You can find your API key at https://example.com/llm/api-keys.');
    // A rate limit links the page of the limit that was reached: the organization's, a project's, or the key list.
    for (const id of ['rate_limit_requests', 'rate_limit_tokens', 'request_too_large', 'rate_limit_blocked_requests', 'rate_limit_blocked_tokens'] as const) {
      expect(renderErrorBody(entry(id), { limits_page: 'limits' }, at).error.message, id).toMatch(/ Visit https:\/\/example\.com\/llm\/limits to learn more\.$/);
      expect(renderErrorBody(entry(id), { limits_page: 'projects/proj_abc' }, at).error.message, id).toMatch(/ Visit https:\/\/example\.com\/llm\/projects\/proj_abc to learn more\.$/);
    }
    // OpenAI's quota message sends the reader to its docs: ours, to this gateway's error reference.
    expect(renderErrorBody(entry('insufficient_quota'), {}, at).error.message).toMatch(/read the docs: https:\/\/example\.com\/llm\/docs\/errors#insufficient_quota\.$/);
  });

  it("words an unknown parameter of the newer endpoints as OpenAI does, with its path in `param`", () => {
    expect(renderErrorBody(entry('unknown_parameter'), { param: 'tools[0].container' }, { publicUrl: 'http://gw', param: 'tools[0].container' })).toEqual({
      error: { message: "Unknown parameter: 'tools[0].container'.", type: 'invalid_request_error', param: 'tools[0].container', code: 'unknown_parameter' },
    });
    expect(matchEntry(400, 'invalid_request_error', 'unknown_parameter')?.id).toBe('unknown_parameter');
  });

  it('tells the three kinds of 429 apart from the wire', () => {
    expect(matchEntry(429, 'tokens', 'rate_limit_exceeded', 'Rate limit reached for x')?.id).toBe('rate_limit_tokens');
    expect(matchEntry(429, 'tokens', 'rate_limit_exceeded', 'Request too large for x')?.id).toBe('request_too_large');
    expect(matchEntry(429, 'insufficient_quota', 'insufficient_quota')?.id).toBe('insufficient_quota');
    expect(matchEntry(429, 'server_error', 'engine_overloaded')?.id).toBe('engine_overloaded');
  });

  it('says who raises each spend limit: an owner the organization\'s own and a project\'s, a quota request the approved one', () => {
    // A quota-increase request raises only the operator's approved hard limit; a project's limit is the owners' to change.
    for (const id of ['insufficient_quota', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded'] as const) {
      expect(entry(id).fix.en, id).not.toMatch(/project.s spend limit through a quota-increase request/);
    }
    // insufficient_quota is the operator's approved limit (and an engine account's quota); the organization's own limit is its owners'.
    expect(entry('insufficient_quota').fix.en).toContain('ask the operator for a higher approved limit (a quota-increase request');
    expect(entry('organization_spend_limit_exceeded').fix.en).toContain("an owner raises the organization's own spend limit up to the approved limit");
  });

  it('docs/errors.md is the generated reference (run `npm run docs:errors` after changing the catalog)', () => {
    const committed = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderErrorDocsFile());
  });
});
