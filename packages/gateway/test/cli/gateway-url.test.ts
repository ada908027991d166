/**
 * One environment variable names the gateway for every CLI verb: TOLLGATE_URL (TOLLGATE_BASE_URL is
 * an alias), with or without `/v1`. Before, the admin verbs read only TOLLGATE_URL and `batch`
 * only TOLLGATE_BASE_URL, and a URL ending in /v1 sent the admin verbs to /v1/admin/v1/....
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchCommand, Tollgate } from '@tollgate/client/node';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from 'tollgate';

const ROOT = 'http://gw.test:8080';
const FORMS: [string, string][] = [
  ['TOLLGATE_URL', ROOT],
  ['TOLLGATE_URL', `${ROOT}/`],
  ['TOLLGATE_URL', `${ROOT}/v1`],
  ['TOLLGATE_URL', `${ROOT}/v1/`],
  ['TOLLGATE_BASE_URL', ROOT],
  ['TOLLGATE_BASE_URL', `${ROOT}/v1`],
];

/** A fetch that records the URLs asked for and answers 401, as a gateway would to a wrong key. */
function recorder() {
  const urls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return new Response(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
    });
  }) as typeof globalThis.fetch;
  return { urls, fetch };
}

const quiet = () => {};
const sink = { write: () => true, isTTY: false };

describe('the gateway URL from the environment', () => {
  it.each(FORMS)('admin verbs: %s=%s calls <root>/admin/v1', async (name, value) => {
    const r = recorder();
    await runCli(['orgs', 'list'], { stdout: quiet, stderr: quiet, env: { [name]: value, TOLLGATE_ADMIN_KEY: 'tga-x' }, fetch: r.fetch });
    expect(r.urls[0]).toMatch(new RegExp(`^${ROOT}/admin/v1/organizations`));
  });

  it.each(FORMS)('billing verbs: %s=%s calls <root>/admin/v1', async (name, value) => {
    const r = recorder();
    await runCli(['billing', 'get', 'org-1'], { stdout: quiet, stderr: quiet, env: { [name]: value, TOLLGATE_ADMIN_KEY: 'tga-x' }, fetch: r.fetch });
    expect(r.urls[0]).toBe(`${ROOT}/admin/v1/organizations/org-1/billing`);
  });

  it.each(FORMS)('organization verbs: %s=%s calls <root>/v1/organization', async (name, value) => {
    const r = recorder();
    await runCli(['projects', 'list'], { stdout: quiet, stderr: quiet, env: { [name]: value, TOLLGATE_ORG_ADMIN_KEY: `sk-admin-${'x'.repeat(43)}` }, fetch: r.fetch });
    expect(r.urls[0]).toBe(`${ROOT}/v1/organization/projects`);
  });

  it.each(FORMS)('batch: %s=%s calls <root>/v1', async (name, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-url-'));
    writeFileSync(join(dir, 'in.jsonl'), `${JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } })}\n`);
    const r = recorder();
    await batchCommand([join(dir, 'in.jsonl'), '-o', join(dir, 'out.jsonl'), '--max-retries', '0'], { stdout: sink, stderr: sink, env: { [name]: value, TOLLGATE_API_KEY: 'sk-x' }, fetch: r.fetch, signal: new AbortController().signal });
    expect(r.urls[0]).toBe(`${ROOT}/v1/chat/completions`);
  });

  it('batch takes --url as every verb does (the gateway, with or without /v1), and --base-url as given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-url-'));
    writeFileSync(join(dir, 'in.jsonl'), `${JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } })}\n`);
    const run = async (flags: string[]) => {
      const r = recorder();
      await batchCommand([join(dir, 'in.jsonl'), '-o', join(dir, 'out.jsonl'), '--max-retries', '0', ...flags], { stdout: sink, stderr: sink, env: { TOLLGATE_URL: 'http://env.test', TOLLGATE_API_KEY: 'sk-x' }, fetch: r.fetch, signal: new AbortController().signal });
      return r.urls[0];
    };
    expect(await run(['--url', 'http://flag.test'])).toBe('http://flag.test/v1/chat/completions');
    expect(await run(['--url', 'http://flag.test/v1'])).toBe('http://flag.test/v1/chat/completions');
    expect(await run(['--base-url', 'http://engine.test/openai/v1'])).toBe('http://engine.test/openai/v1/chat/completions');
  });

  it('TOLLGATE_URL wins over the alias; --url and --base-url win over both', async () => {
    const r = recorder();
    const env = { TOLLGATE_URL: ROOT, TOLLGATE_BASE_URL: 'http://other.test', TOLLGATE_ADMIN_KEY: 'tga-x' };
    await runCli(['orgs', 'list'], { stdout: quiet, stderr: quiet, env, fetch: r.fetch });
    await runCli(['orgs', 'list', '--url', 'http://flag.test/v1'], { stdout: quiet, stderr: quiet, env, fetch: r.fetch });
    expect(r.urls.map((u) => new URL(u).host)).toEqual(['gw.test:8080', 'flag.test']);
    expect(new URL(r.urls[1]!).pathname).toBe('/admin/v1/organizations');
  });

  describe('the client library', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of ['TOLLGATE_URL', 'TOLLGATE_BASE_URL', 'OPENAI_BASE_URL']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });
    it.each(FORMS)('%s=%s gives the base URL <root>/v1', (name, value) => {
      delete process.env.TOLLGATE_URL;
      delete process.env.TOLLGATE_BASE_URL;
      process.env.OPENAI_BASE_URL = 'http://openai.invalid/v1';
      process.env[name] = value;
      expect(new Tollgate({ apiKey: 'sk-x' }).baseURL).toBe(`${ROOT}/v1`);
    });
  });
});
