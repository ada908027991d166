/**
 * A project's rate limit end to end in headless Chromium against a real gateway, checked with the
 * official SDK: an owner makes a project on the Projects page, sets its requests per minute for a
 * model to 2, and makes a key in it on the API keys page; the SDK's first two requests with that
 * key succeed and the third gets 429 `rate_limit_exceeded` with OpenAI's wording and a link to the
 * project's page (where the limit was set), while a key of another project is not held back.
 * Skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../gateway/test/support/rejection.js';
import { hasChromium, openContext, screenshot, settled, signIn, text, useConsoleFixture } from './support/browser.js';

const MODEL = 'sim-small';
const chat = (apiKey: string, baseURL: string) =>
  new OpenAI({ apiKey, baseURL, maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });

describe.skipIf(!hasChromium)("a project's RPM set in the console", () => {
  const f = useConsoleFixture();

  it('the SDK gets 429 rate_limit_exceeded at exactly the RPM set on the Projects page', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.projects')}"`);
    await settled(page);
    await page.getByLabel(text('en', 'projects.newName')).fill('rpm project');
    await page.click(`button:text-is("${text('en', 'projects.create')}")`);
    await page.click('table a:text-is("rpm project")');
    await page.waitForSelector(`tr[data-model="${MODEL}"]`);
    const projectId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    expect(projectId).toMatch(/^proj_/);

    const rpm = page.getByLabel(text('en', 'projects.limitOf', { limit: text('en', 'limits.rpm'), model: MODEL }));
    await rpm.fill('2');
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/rate_limits\//.test(r.url())),
      page.getByRole('button', { name: text('en', 'projects.saveLimitsOf', { model: MODEL }) }).click(),
    ]);
    expect(saved.status()).toBe(200);
    // What the page shows after a reload is what the gateway stored.
    await page.reload();
    await page.waitForSelector(`tr[data-model="${MODEL}"]`);
    await expect(rpm.inputValue()).resolves.toBe('2');
    await screenshot(page, 'projects-rate-limits', 'en');

    await page.click(`nav >> text="${text('en', 'nav.apiKeys')}"`);
    await settled(page);
    await page.fill('#create-key ~ form input[name=name]', 'rpm key');
    await page.getByLabel(text('en', 'keys.project')).selectOption({ label: 'rpm project' });
    await page.click(`button:text-is("${text('en', 'keys.createSubmit')}")`);
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^sk-/);
    await context.close();

    // Two requests fit in the minute; the third is refused as OpenAI refuses it.
    for (let i = 1; i <= 2; i++) expect((await chat(secret, f.g.baseURL)).choices[0]!.message.content, `request ${i}`).toBeTruthy();
    const e = await rejection<InstanceType<typeof OpenAI.APIError>>(chat(secret, f.g.baseURL));
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.type).toBe('requests');
    expect(e.message).toMatch(
      new RegExp(`^429 Rate limit reached for ${MODEL} in organization ${f.g.orgId} on requests per min \\(RPM\\): Limit 2, Used 2, Requested 1\\. Please try again in [0-9.hms]+\\. Visit \\S+/projects/${projectId} to learn more\\.$`),
    );
    // The plain x-ratelimit-* headers are the organization's, as at OpenAI, not the project's 2.
    expect(e.headers?.get('x-ratelimit-limit-requests')).not.toBe('2');
    // The limit is the project's: a key of the organization's other project still gets through.
    expect((await chat(f.g.apiKey, f.g.baseURL)).choices[0]!.message.content).toBeTruthy();
  }, 180_000);
});
