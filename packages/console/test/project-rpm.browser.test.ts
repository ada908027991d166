/**
 * A project's rate limit end to end in headless Chromium against a real gateway, checked with the
 * official SDK: an owner makes a project on the Projects page, sets its requests per minute for a
 * model to 2, and makes a key in it on the API keys page; the SDK's first two requests with that
 * key succeed and the third gets 429 `rate_limit_exceeded` with OpenAI's wording and a link to the
 * project's page (where the limit was set), while a key of another project is not held back.
 * A field cleared and saved removes the project's own limit (null is sent): the page says it
 * saved, or that there was nothing to save, and shows whose limit each field is.
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

  /** The owner signed in, on the page of a project made on the Projects page. */
  async function newProjectPage(name: string) {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.projects')}"`);
    await settled(page);
    await page.getByLabel(text('en', 'projects.newName')).fill(name);
    await page.click(`button:text-is("${text('en', 'projects.create')}")`);
    await page.click(`table a:text-is("${name}")`);
    await page.waitForSelector(`tr[data-model="${MODEL}"]`);
    const projectId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    expect(projectId).toMatch(/^proj_/);
    return { context, page, projectId };
  }

  it('the SDK gets 429 rate_limit_exceeded at exactly the RPM set on the Projects page', async () => {
    const { context, page, projectId } = await newProjectPage('rpm project');

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
    // The plain x-ratelimit-* headers describe the limit that binds: the project's 2, as the message says.
    expect(e.headers?.get('x-ratelimit-limit-requests')).toBe('2');
    expect(e.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    // The limit is the project's: a key of the organization's other project still gets through.
    expect((await chat(f.g.apiKey, f.g.baseURL)).choices[0]!.message.content).toBeTruthy();
  }, 180_000);

  it("a cleared field removes the project's own limit: the page sends null, says so, and shows the organization's again", async () => {
    expect((await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/rate_limits/${MODEL}`, { max_requests_per_1_minute: 50, max_tokens_per_1_minute: 40_000 })).status).toBe(200);
    const { context, page, projectId } = await newProjectPage('override project');

    const rpm = () => page.getByLabel(text('en', 'projects.limitOf', { limit: text('en', 'limits.rpm'), model: MODEL }));
    const cell = () => page.locator(`tr[data-model="${MODEL}"] td[data-field="max_requests_per_1_minute"]`);
    const saveButton = () => page.getByRole('button', { name: text('en', 'projects.saveLimitsOf', { model: MODEL }) });
    const outcome = page.getByTestId('rate-limits-outcome');
    const posts: unknown[] = [];
    page.on('request', (r) => r.method() === 'POST' && /\/rate_limits\//.test(r.url()) && posts.push(r.postDataJSON()));
    const save = async () => {
      const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && /\/rate_limits\//.test(r.url())), saveButton().click()]);
      expect(answer.status()).toBe(200);
      await outcome.filter({ hasText: text('en', 'projects.limitsSaved', { model: MODEL }) }).waitFor();
    };

    // Nothing of its own: the field is empty, the organization's limit is its placeholder, and it says whose it is.
    await expect(rpm().inputValue()).resolves.toBe('');
    await expect(rpm().getAttribute('placeholder')).resolves.toBe('50');
    await expect(cell().getAttribute('data-source')).resolves.toBe('organization');
    await expect(cell().innerText()).resolves.toContain(text('en', 'projects.limitInherited'));
    // Save with nothing changed: nothing is sent, and the page says why.
    await saveButton().click();
    await outcome.filter({ hasText: text('en', 'projects.limitsUnchanged', { model: MODEL }) }).waitFor();
    expect(posts).toEqual([]);

    await rpm().fill('5');
    await save();
    expect(posts).toEqual([{ max_requests_per_1_minute: 5 }]);
    await expect.poll(() => cell().getAttribute('data-source')).toBe('project');
    await expect(rpm().inputValue()).resolves.toBe('5');
    await expect(cell().innerText()).resolves.toContain(text('en', 'projects.limitOwn', { limit: '50' }));

    // Cleared and saved: null goes to the gateway, and the organization's limit is back.
    await rpm().fill('');
    await save();
    expect(posts.at(-1)).toEqual({ max_requests_per_1_minute: null });
    await expect.poll(() => cell().getAttribute('data-source')).toBe('organization');
    await page.reload();
    await page.waitForSelector(`tr[data-model="${MODEL}"]`);
    await expect(rpm().inputValue()).resolves.toBe('');
    await expect(cell().getAttribute('data-source')).resolves.toBe('organization');
    await context.close();

    // What the gateway keeps: nothing of the project's for the model.
    const stored = await f.g.gateway.services.store.rateLimits.projectLimits(projectId);
    expect(stored.has(MODEL)).toBe(false);
  }, 180_000);
});
