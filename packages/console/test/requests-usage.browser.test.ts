/**
 * Requests and Usage end to end in headless Chromium against a real gateway: a request that
 * failed (an injected rate-limit error, seen by the official SDK) is looked up by its
 * x-request-id with its cause and fix from the error catalog, and the support report copied has
 * the id, the UTC time, the model and the error; one refused for spend says no model answered; a pasted header line or a quoted id is looked
 * up, an earlier answer never stays on screen under a new id, each lookup has a link that runs it,
 * and a failed lookup names the id; a lookup shows the project and key by name (the key's
 * redacted value, never its secret) with their ids; the usage CSV's cost equals the Costs API's, and projects,
 * keys, members and service accounts are shown by name (ids beside them) from one read of each
 * list. Skips, saying why, only when Chromium is not installed.
 */
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../gateway/test/support/rejection.js';
import { hasChromium, openContext, screenshot, settled, signIn, text, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)('requests and usage in the console', () => {
  const f = useConsoleFixture();

  /** The Administration API with a new admin key of the organization; every call must succeed. */
  async function orgApi(name: string) {
    const orgKey = (await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name })).body.value as string;
    return async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${f.g.baseURL}/organization${path}`, { method, headers: { authorization: `Bearer ${orgKey}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(r.status, `${method} ${path}`).toBe(200);
      return (await r.json()) as any;
    };
  }

  it('looks up a failed request and copies the support report', async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    const e = await rejection<InstanceType<typeof OpenAI.APIError>>(
      client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { headers: { 'x-tollgate-fault': 'rate_limit_tokens' } }),
    );
    expect(e.status).toBe(429);
    const id = e.requestID!;
    expect(id).toBeTruthy();

    const { context, page } = await openContext(f.browser, 'en');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.g.url });
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.requests')}"`);
    await page.fill('input[name=request_id]', id);
    await page.click(`button:text-is("${text('en', 'requests.lookUp')}")`);
    await page.waitForSelector('.error-box');
    await expect(page.locator('.error-box h3').innerText()).resolves.toBe('Rate limit reached (tokens)');
    await expect(page.locator('.error-box').innerText()).resolves.toContain(e.message.replace(/^429 /, '').slice(0, 40));
    // The code the client got, not the catalog entry's name (the page showed rate_limit_tokens as the code).
    expect(e.code).toBe('rate_limit_exceeded');
    await expect(page.getByTestId('error-code').innerText()).resolves.toBe('rate_limit_exceeded');
    await expect(page.getByTestId('catalog-entry').innerText()).resolves.toBe('rate_limit_tokens');
    await expect(page.locator('#request-title').innerText()).resolves.toBe(id);
    await screenshot(page, 'request-lookup', 'en');

    await page.click(`button:text-is("${text('en', 'requests.copyReport')}")`);
    await page.waitForSelector(`button:text-is("${text('en', 'common.copied')}")`);
    const report = await page.evaluate(() => navigator.clipboard.readText());
    expect(report).toContain(`x-request-id: ${id}`);
    expect(report).toMatch(/timestamp \(UTC\): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(report).toContain('timestamp (Asia/Shanghai): ');
    expect(report).toContain('model requested: sim-small');
    expect(report).toContain('status: 429');
    expect(report).toContain('error code: rate_limit_exceeded\n');
    expect(report).toContain('error catalog entry: rate_limit_tokens\n');
    expect(report).not.toContain(f.g.apiKey);
    await context.close();
  }, 120_000);

  it('a request refused for spend shows that no model answered, on the page and in the support report', async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    expect((await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/billing`, { hard_limit_usd: 0 })).status).toBe(200);
    let e: InstanceType<typeof OpenAI.APIError>;
    try {
      e = await rejection<InstanceType<typeof OpenAI.APIError>>(client.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }));
    } finally {
      await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/billing`, { hard_limit_usd: null });
    }
    expect(e.code).toBe('insufficient_quota');
    await f.g.gateway.services.ledger.flush();

    const { context, page } = await openContext(f.browser, 'en');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.g.url });
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const cell = (label: string) => page.locator('dl.details .row').filter({ has: page.locator(`dt:text-is("${label}")`) }).locator('dd');
    await page.goto(`${f.g.url}/requests/${e.requestID}`);
    await page.waitForSelector('.error-box');
    await expect(cell(text('en', 'requests.modelAsked')).innerText()).resolves.toBe('sim-large');
    await expect(cell(text('en', 'requests.modelServed')).innerText()).resolves.toBe(text('en', 'requests.noModel'));
    await page.click(`button:text-is("${text('en', 'requests.copyReport')}")`);
    await page.waitForSelector(`button:text-is("${text('en', 'common.copied')}")`);
    const report = await page.evaluate(() => navigator.clipboard.readText());
    expect(report).toContain('model requested: sim-large');
    expect(report).toContain('model served: none (refused before any model was called)');
    await context.close();
  }, 120_000);

  it("exports a usage CSV whose cost equals the Costs API's for the same buckets", async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.usage')}"`);
    await page.waitForSelector('.chart canvas');
    await page.waitForSelector('td[data-value]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button:text-is("${text('en', 'usage.csv')}")`)]);
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('bucket_start_utc,group,cost,group_name');
    const rows = csv.slice(1).map((l) => l.split(','));
    const csvTotal = rows.reduce((s, r) => s + Number(r[2]), 0);
    expect(csvTotal).toBeGreaterThan(0);

    const admin = await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'costs check' });
    const start = Date.parse(rows[0]![0]!) / 1000;
    const res = await fetch(`${f.g.baseURL}/organization/costs?start_time=${start}&bucket_width=1d&limit=31`, { headers: { authorization: `Bearer ${admin.body.value}` } });
    const costs = (await res.json()) as { data: { results: { amount: { value: number } }[] }[] };
    const apiTotal = costs.data.flatMap((b) => b.results).reduce((s, r) => s + r.amount.value, 0);
    expect(csvTotal).toBeCloseTo(apiTotal, 9);
    expect(Number(await page.locator('td[data-value]').first().getAttribute('data-value'))).toBeCloseTo(apiTotal, 9);

    // Cost over the last 24 hours and the last hour: hourly and per-minute buckets, the same money.
    for (const [period, width] of [
      ['day', '1h'],
      ['hour', '1m'],
    ] as const) {
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/organization/costs?') && r.url().includes(`bucket_width=${width}`)),
        page.getByLabel(text('en', 'usage.period')).selectOption(period),
      ]);
      expect(answer.status()).toBe(200);
      await page.waitForSelector(`p.muted:has-text("${text('en', `usage.width.${width}`)}")`);
      await page.waitForFunction(() => document.querySelector('.chart canvas') !== null);
      expect(await page.locator('[role=alert]').count()).toBe(0);
      expect(Number(await page.locator('td[data-value]').first().getAttribute('data-value'))).toBeCloseTo(apiTotal, 9);
    }

    // Requests count embeddings too (the Usage API reports them apart, as OpenAI's does): the
    // page's total is what the two reports add up to, more than completions alone.
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    await client.embeddings.create({ model: 'sim-embed', input: ['one', 'two'] });
    await client.embeddings.create({ model: 'sim-embed', input: 'three' });
    await f.g.gateway.services.ledger.flush();
    const requestsIn = async (kind: string) => {
      const r = await fetch(`${f.g.baseURL}/organization/usage/${kind}?start_time=${start}&bucket_width=1d&limit=31`, { headers: { authorization: `Bearer ${admin.body.value}` } });
      const body = (await r.json()) as { data: { results: { num_model_requests: number }[] }[] };
      return body.data.flatMap((b) => b.results).reduce((n, x) => n + x.num_model_requests, 0);
    };
    const completions = await requestsIn('completions');
    const embeddings = await requestsIn('embeddings');
    expect(embeddings).toBe(2);
    await page.getByLabel(text('en', 'usage.period')).selectOption('month');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/organization/usage/embeddings?')),
      page.getByLabel(text('en', 'usage.metric')).selectOption('requests'),
    ]);
    await page.waitForFunction((want) => Number(document.querySelector('td[data-value]')?.getAttribute('data-value')) === want, completions + embeddings);
    expect(Number(await page.locator('td[data-value]').first().getAttribute('data-value'))).toBe(completions + embeddings);

    // Activity groups by user; cost does not (the Costs API, as OpenAI's, has no user grouping and
    // refuses group_by=user_id): choosing cost then shows it ungrouped, and offers no user.
    const groupBy = page.getByLabel(text('en', 'usage.groupBy'));
    const [byUser] = await Promise.all([page.waitForResponse((r) => r.url().includes('/organization/usage/completions?') && r.url().includes('group_by=user_id')), groupBy.selectOption('user_id')]);
    expect(byUser.status()).toBe(200);
    const [cost] = await Promise.all([page.waitForResponse((r) => r.url().includes('/organization/costs?')), page.getByLabel(text('en', 'usage.metric')).selectOption('cost')]);
    expect(cost.status()).toBe(200);
    expect(new URL(cost.url()).searchParams.has('group_by')).toBe(false);
    await expect(groupBy.inputValue()).resolves.toBe('none');
    expect(await groupBy.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['none', 'project_id', 'model', 'api_key_id']);
    await page.waitForSelector('td[data-value]');
    expect(await page.locator('[role=alert]').count()).toBe(0);
    await context.close();
  }, 120_000);

  it('looks up a pasted header line or a quoted id, shows only the answer to the id asked, and links to each lookup', async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    const ok = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).withResponse();
    const okId = ok.response.headers.get('x-request-id')!;
    const e = await rejection<InstanceType<typeof OpenAI.APIError>>(
      client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { headers: { 'x-tollgate-fault': 'rate_limit_tokens' } }),
    );
    const failedId = e.requestID!;
    expect(okId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(failedId).toMatch(/^req_[0-9a-f]{32}$/);
    await f.g.gateway.services.ledger.flush();

    const { context, page } = await openContext(f.browser, 'en');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.g.url });
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.requests')}"`);
    await settled(page);
    const lookups: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.includes('/v1/organization/requests/')) lookups.push(decodeURIComponent(u.pathname.split('/requests/')[1]!));
    });
    const box = page.getByLabel(text('en', 'requests.id'));
    const lookUp = async (pasted: string) => {
      await box.fill(pasted);
      await page.click(`button:text-is("${text('en', 'requests.lookUp')}")`);
    };
    const path = () => decodeURIComponent(new URL(page.url()).pathname);

    // The header line as `curl -i` prints it: the id is looked up, and the URL names it.
    await lookUp(`x-request-id: ${failedId}`);
    await page.waitForSelector('.error-box');
    await expect(page.locator('#request-title').innerText()).resolves.toBe(failedId);
    expect(path()).toBe(`/requests/${failedId}`);
    await expect(box.inputValue()).resolves.toBe(failedId);

    // A quoted id with spaces: the new answer replaces the old one entirely.
    await lookUp(`  "${okId}" `);
    await page.waitForSelector('p.ok');
    await expect(page.locator('#request-title').innerText()).resolves.toBe(okId);
    expect(await page.locator('.error-box').count()).toBe(0);
    expect(path()).toBe(`/requests/${okId}`);

    // While a lookup runs, the earlier answer is gone: only the id asked and "Looking up".
    const missing = 'req_00000000000000000000000000000000';
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/v1/organization/requests/**', async (route) => {
      await held;
      await route.continue();
    });
    await lookUp(missing);
    await page.waitForSelector(`[role=status]:text-is("${text('en', 'requests.lookingUp', { id: missing })}")`);
    await expect(page.locator('#request-title').innerText()).resolves.toBe(missing);
    expect(await page.locator('p.ok, .error-box, dl.details').count()).toBe(0);
    release();
    // Not found: the message names the id looked up, and nothing of the earlier answer shows.
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe(text('en', 'requests.notFound', { id: missing }));
    expect(await page.locator('p.ok, .error-box, dl.details').count()).toBe(0);
    await page.unroute('**/v1/organization/requests/**');

    // Text with no id in it: a message that quotes it, no lookup, no earlier answer.
    const before = lookups.length;
    await lookUp('see the logs please');
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe(text('en', 'requests.notAnId', { text: 'see the logs please' }));
    expect(await page.locator('#request-title').count()).toBe(0);
    expect(path()).toBe('/requests');
    await expect(box.inputValue()).resolves.toBe('see the logs please');
    expect(lookups.length).toBe(before);
    expect(lookups).toEqual([failedId, okId, missing]);

    // Back: the earlier lookup's page, run again, with its id in the box.
    await page.goBack();
    await page.waitForSelector('[role=alert]');
    await expect(page.locator('#request-title').innerText()).resolves.toBe(missing);
    await page.goBack();
    await page.waitForSelector('p.ok');
    await expect(box.inputValue()).resolves.toBe(okId);

    // The link to a lookup, copied from the page, runs it when opened.
    await page.goto(`${f.g.url}/requests/${failedId}`);
    await page.waitForSelector('.error-box');
    await page.click(`button:text-is("${text('en', 'requests.copyLink')}")`);
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(`${f.g.url}/requests/${failedId}`);
    const other = await context.newPage();
    await other.goto(link);
    await other.waitForSelector('.error-box');
    await expect(other.locator('#request-title').innerText()).resolves.toBe(failedId);
    // A hand-typed `?id=`, even holding the header line, leads to the lookup's own link.
    await other.goto(`${f.g.url}/requests?id=${encodeURIComponent(`x-request-id: ${okId}`)}`);
    await other.waitForSelector('p.ok');
    expect(new URL(other.url()).pathname).toBe(`/requests/${okId}`);
    await context.close();
  }, 120_000);

  it("shows a looked-up request's project and key by name, the key's redacted value, ids beside them; a revoked key by its id", async () => {
    const org = await orgApi('request names');
    const payments = await org('POST', '/projects', { name: 'Payments' });
    const made = await f.g.admin('POST', '/admin/v1/keys', { organization_id: f.g.orgId, user_id: f.g.userId, name: 'payments-ci', project_id: payments.id });
    expect(made.status).toBe(200);
    const secret = made.body.key as string;
    const keyId = made.body.id as string;
    const ok = await new OpenAI({ apiKey: secret, baseURL: f.g.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).withResponse();
    const id = ok.response.headers.get('x-request-id')!;
    await f.g.gateway.services.ledger.flush();
    const redacted = (await org('GET', `/projects/${payments.id}/api_keys/${keyId}`)).redacted_value as string;
    expect(redacted.endsWith(secret.slice(-4))).toBe(true);
    expect(redacted).not.toBe(secret);

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const cell = (label: string) => page.locator('dl.details .row').filter({ has: page.locator(`dt:text-is("${label}")`) }).locator('dd');
    const project = cell(text('en', 'keys.project'));
    const key = cell(text('en', 'requests.key'));
    await page.goto(`${f.g.url}/requests/${id}`);
    await page.waitForSelector('p.ok');
    await expect(project.locator('[data-name]').innerText()).resolves.toBe('Payments');
    await expect(project.locator('small code').innerText()).resolves.toBe(payments.id);
    await expect(key.locator('[data-name]').innerText()).resolves.toBe(`payments-ci ${redacted}`);
    await expect(key.locator('small code').innerText()).resolves.toBe(keyId);
    await expect(key.locator('.named-id').getAttribute('title')).resolves.toBe(keyId);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByText(text('en', 'requests.namesFailed')).count()).toBe(0);

    // A name that cannot be read: its id alone, with a note; the rest still shows.
    await page.route(`**/v1/organization/projects/${payments.id}`, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"message":"down","type":"server_error","code":null,"param":null}}' }));
    await page.reload();
    await page.waitForSelector('p.ok');
    await expect(project.innerText()).resolves.toBe(payments.id);
    await expect(key.locator('[data-name]').innerText()).resolves.toBe(`payments-ci ${redacted}`);
    await page.getByText(text('en', 'requests.namesFailed')).waitFor();
    await page.unroute(`**/v1/organization/projects/${payments.id}`);

    // Revoked: the project no longer has the key; it is shown by its id, said revoked.
    await org('DELETE', `/projects/${payments.id}/api_keys/${keyId}`);
    await page.reload();
    await page.waitForSelector('p.ok');
    await expect(project.locator('[data-name]').innerText()).resolves.toBe('Payments');
    await expect(key.locator('[data-name]').innerText()).resolves.toBe(text('en', 'requests.keyRevoked'));
    await expect(key.locator('small code').innerText()).resolves.toBe(keyId);
    expect(await page.getByText(text('en', 'requests.namesFailed')).count()).toBe(0);
    await context.close();
  }, 120_000);

  it('shows projects, keys, members and service accounts by name, ids beside them, from one read of each list', async () => {
    const org = await orgApi('names check');
    const checkout = await org('POST', '/projects', { name: 'Checkout, EU' });
    const bot = await org('POST', `/projects/${checkout.id}/service_accounts`, { name: 'nightly-bot' });
    const ci = await f.g.admin('POST', '/admin/v1/keys', { organization_id: f.g.orgId, user_id: f.g.userId, name: 'checkout-ci', project_id: checkout.id });
    expect(ci.status).toBe(200);
    const owner = (await f.g.admin('GET', `/admin/v1/users/${f.g.userId}`)).body as { name: string; email: string };
    for (const key of [bot.api_key.value as string, ci.body.key as string, f.g.apiKey]) {
      await new OpenAI({ apiKey: key, baseURL: f.g.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    }
    await f.g.gateway.services.ledger.flush();
    const { data: projects } = await org('GET', '/projects');
    const defaultProject = (projects as { id: string; name: string }[]).find((p) => p.id !== checkout.id)!;
    const ownerKey = (await org('GET', `/projects/${defaultProject.id}/api_keys/${f.g.keyId}`)) as { name: string };

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    // What the Usage page asks for (the API keys page, where sign-in lands, reads lists of its own).
    const calls: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (/^\/(v1\/organization|console\/api)\//.test(u.pathname)) calls.push(u.pathname + u.search);
    });
    await page.click(`nav >> text="${text('en', 'nav.usage')}"`);
    await page.waitForSelector('td[data-value]');
    await page.getByLabel(text('en', 'usage.metric')).selectOption('requests');
    const groupBy = async (g: string, first: string) => {
      await page.getByLabel(text('en', 'usage.groupBy')).selectOption(g);
      await page.waitForSelector(`tr[data-group="${first}"]`);
    };
    const row = (id: string) => page.locator(`tr[data-group="${id}"] td`).first();
    const legend = () => page.locator('.u-legend .u-series .u-label').allInnerTexts();
    const csv = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button:text-is("${text('en', 'usage.csv')}")`)]);
      return (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    };

    await groupBy('project_id', checkout.id);
    await expect(page.locator('thead th').first().innerText()).resolves.toBe(text('en', 'usage.group.project_id'));
    await expect(row(checkout.id).locator('[data-name]').innerText()).resolves.toBe('Checkout, EU');
    await expect(row(checkout.id).locator('small code').innerText()).resolves.toBe(checkout.id);
    await expect(row(checkout.id).locator('.named-id').getAttribute('title')).resolves.toBe(checkout.id);
    await expect(row(defaultProject.id).locator('[data-name]').innerText()).resolves.toBe(defaultProject.name);
    expect(await legend()).toEqual(expect.arrayContaining(['Checkout, EU', defaultProject.name]));
    const projectCsv = await csv();
    expect(projectCsv[0]).toBe('bucket_start_utc,group,requests,group_name');
    expect(projectCsv).toContainEqual(expect.stringMatching(new RegExp(`^[^,]+,${checkout.id},[1-9]\\d*,"Checkout, EU"$`)));
    expect(projectCsv).toContainEqual(expect.stringMatching(new RegExp(`^[^,]+,${defaultProject.id},[1-9]\\d*,${defaultProject.name}$`)));
    await screenshot(page, 'usage-by-project', 'en');

    await groupBy('api_key_id', ci.body.id);
    await expect(row(ci.body.id).locator('[data-name]').innerText()).resolves.toBe('checkout-ci');
    await expect(row(ci.body.id).locator('small').innerText()).resolves.toBe(`${ci.body.id} · ${text('en', 'usage.inProject', { project: 'Checkout, EU' })}`);
    await expect(row(bot.api_key.id).locator('[data-name]').innerText()).resolves.toBe(bot.api_key.name);
    await expect(row(f.g.keyId).locator('[data-name]').innerText()).resolves.toBe(ownerKey.name);
    expect(await legend()).toEqual(expect.arrayContaining(['checkout-ci', ownerKey.name]));
    expect(await csv()).toContainEqual(expect.stringMatching(new RegExp(`,${ci.body.id},[1-9]\\d*,checkout-ci$`)));

    await groupBy('user_id', bot.id);
    await expect(row(bot.id).locator('[data-name]').innerText()).resolves.toBe('nightly-bot');
    await expect(row(bot.id).locator('small').innerText()).resolves.toBe(`${bot.id} · ${text('en', 'usage.serviceAccount')} · ${text('en', 'usage.inProject', { project: 'Checkout, EU' })}`);
    await expect(row(f.g.userId).locator('[data-name]').innerText()).resolves.toBe(owner.name);
    await expect(row(f.g.userId).locator('small').innerText()).resolves.toBe(`${f.g.userId} · ${owner.email}`);
    expect(await legend()).toEqual(expect.arrayContaining(['nightly-bot', owner.name]));
    expect(await csv()).toContainEqual(expect.stringMatching(new RegExp(`,${bot.id},[1-9]\\d*,nightly-bot$`)));
    expect(await page.locator('[role=alert]').count()).toBe(0);

    // Each list read once for the whole visit: the organization's keys and service accounts in one
    // list each, never per project, never one object at a time.
    const reads = (re: RegExp) => calls.filter((c) => re.test(c)).length;
    expect(reads(/^\/v1\/organization\/projects\?/), calls.join('\n')).toBe(1);
    expect(reads(/^\/v1\/organization\/users\?/)).toBe(1);
    expect(reads(/^\/console\/api\/api_keys\?owner_project_access=any&include_archived=true&limit=100$/)).toBe(1);
    expect(reads(/^\/console\/api\/service_accounts\?include_archived=true&limit=100$/)).toBe(1);
    expect(reads(/^\/v1\/organization\/projects\/[^/]+\/(api_keys|service_accounts)/)).toBe(0);
    expect(calls.filter((c) => /\/(users|api_keys|service_accounts|projects)\/[^/?]+$/.test(c.split('?')[0]!))).toEqual([]);
    await context.close();
  }, 120_000);
});
