/**
 * A quota increase end to end in headless Chromium against a real gateway: the operator approved a
 * hard limit, which the owner's Limits page shows read-only with the link to ask for more; the
 * owner sets the organization's own spend limit there, at most the approved one (an amount above
 * it is refused, in the page's words when the gateway refuses it), and asks for a higher hard
 * limit; the operator's page shows the organization by name with its hard limit now, and the
 * operator approves it with a note written in a dialog in the page (keyboard only); the approved
 * limit becomes the requested one, the organization's own stays, and the owner sees the request
 * approved. A rejection's dialog insists on a note.
 * Skips, saying why, only when Chromium is not installed.
 */
import { describe, expect, it } from 'vitest';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, signIn, screenshot, text, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)('quota requests in the console', () => {
  const f = useConsoleFixture();

  it('an owner sets its own limit under the approved one and asks for more, the operator approves in a dialog, the new hard limit applies', async () => {
    const billing = `/admin/v1/organizations/${f.g.orgId}/billing`;
    // The operator approved $50; the organization has no limit of its own yet.
    expect((await f.g.admin('PUT', billing, { hard_limit_usd: 50 })).status).toBe(200);
    const session = new Session(f.g.url);
    await session.signIn(f.owner.email, f.owner.password);

    const owner = await openContext(f.browser, 'en');
    await signIn(owner.page, f.g.url, f.owner.email, f.owner.password);
    await owner.page.click(`nav >> text="${text('en', 'nav.limits')}"`);
    // The approved limit, read-only, with the link to the request form.
    const approvedLimit = owner.page.getByTestId('approved-limit');
    await expect(approvedLimit.innerText()).resolves.toBe(`$50.00 ${text('en', 'limits.quotaTitle')}`);
    // It stays on the page (the gateway's <base href> is the console's root): only the fragment changes.
    await expect(approvedLimit.getByRole('link', { name: text('en', 'limits.quotaTitle') }).getAttribute('href')).resolves.toBe('/limits#quota-title');
    await expect(owner.page.getByTestId('enforced-limit').innerText()).resolves.toBe('$50.00');

    // The organization's own limit: at most the approved one, which the browser enforces…
    const own = owner.page.getByRole('region', { name: text('en', 'limits.orgSpendLimit') });
    await expect(own.getByTestId('spend-limit-current').innerText()).resolves.toBe(text('en', 'spend.none'));
    const amount = own.getByLabel(text('en', 'spend.amount'));
    await expect(amount.getAttribute('max')).resolves.toBe('50');
    await expect(own.innerText()).resolves.toContain(text('en', 'spend.atMostApproved', { amount: '$50.00' }));
    await amount.fill('60');
    await own.getByRole('button', { name: text('en', 'common.save') }).click();
    await expect(amount.evaluate((el: HTMLInputElement) => el.validity.rangeOverflow)).resolves.toBe(true);
    // …and the gateway too, when the form's bound is gone: said in the page's words.
    await amount.evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
    await own.getByRole('button', { name: text('en', 'common.save') }).click();
    await expect(own.getByRole('alert').innerText()).resolves.toContain(text('en', 'spend.aboveApproved'));
    expect((await f.g.admin('GET', billing)).body).toMatchObject({ hard_limit_usd: 50, spend_limit_usd: null });
    await amount.fill('20');
    await own.getByRole('button', { name: text('en', 'common.save') }).click();
    await expect.poll(() => own.getByTestId('spend-limit-current').innerText()).toBe(text('en', 'spend.current', { amount: '$20.00' }));
    await expect.poll(() => owner.page.getByTestId('enforced-limit').innerText()).toBe('$20.00');
    expect((await f.g.admin('GET', billing)).body).toMatchObject({ hard_limit_usd: 50, spend_limit_usd: 20, enforced_hard_limit_usd: 20 });

    await approvedLimit.getByRole('link').click();
    await expect.poll(() => owner.page.url()).toBe(`${f.g.url}/limits#quota-title`);
    await owner.page.fill('input[name=hard_limit_usd]', '500');
    await owner.page.fill('textarea[name=reason]', 'launch week traffic');
    await owner.page.click(`button:text-is("${text('en', 'limits.quotaSubmit')}")`);
    await owner.page.waitForSelector('tr[data-status=pending]');

    const user = await f.g.admin('POST', '/admin/v1/users', { email: `operator-${Date.now()}@example.com`, name: 'Operator' });
    const password = 'operator-password-long-enough';
    expect((await f.g.admin('POST', `/admin/v1/users/${user.body.id}/password`, { password, operator: true })).status).toBeLessThan(300);
    const op = await openContext(f.browser, 'en');
    await signIn(op.page, f.g.url, user.body.email, password);
    // No browser prompt: the note is asked in the page.
    const prompts: string[] = [];
    op.page.on('dialog', (d) => {
      prompts.push(d.message());
      void d.dismiss();
    });
    await op.page.click(`nav >> text="${text('en', 'nav.quotaRequests')}"`);
    const row = op.page.locator('tr[data-status=pending]', { hasText: 'launch week traffic' });
    await row.waitFor();
    // The organization by name, and its hard limit now: the approved one, not the organization's own.
    const orgName = (await f.g.admin('GET', `/admin/v1/organizations/${f.g.orgId}`)).body.name as string;
    await expect(row.locator('td').first().innerText()).resolves.toContain(orgName);
    await expect(row.getByTestId('current-hard-limit').innerText()).resolves.toBe('$50.00');
    await screenshot(op.page, 'operator-quota-requests', 'en');

    // Each row's buttons are named apart for a screen reader: the organization and the amount.
    const names = { org: orgName, amount: '$500.00' };
    const approve = row.getByRole('button', { name: text('en', 'operator.approveFor', names), exact: true });
    await approve.click();
    const dialog = op.page.getByRole('dialog', { name: text('en', 'operator.approveFor', names) });
    await dialog.waitFor();
    await expect(dialog.innerText()).resolves.toContain(text('en', 'operator.request', { ...names, current: '$50.00' }));
    // The keyboard is in the note's field; Escape closes without deciding and goes back to the button.
    const note = dialog.getByLabel(text('en', 'operator.approveNote'));
    await expect(note.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await op.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(approve.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect((await f.g.admin('GET', billing)).body.quota_requests[0].status).toBe('pending');

    // Opened again from the keyboard, the note typed and sent with the keyboard.
    await op.page.keyboard.press('Enter');
    await dialog.waitFor();
    await op.page.keyboard.type('approved for launch');
    await op.page.keyboard.press('Tab');
    await op.page.keyboard.press('Tab');
    await expect(op.page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(text('en', 'operator.approveSubmit'));
    await op.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const approved = op.page.locator('tr[data-status=approved]');
    await approved.waitFor();
    await expect(approved.getByTestId('current-hard-limit').innerText()).resolves.toBe('$500.00');

    expect((await f.g.admin('GET', billing)).body).toMatchObject({ hard_limit_usd: 500, spend_limit_usd: 20, enforced_hard_limit_usd: 20 });
    await owner.page.reload();
    await owner.page.waitForSelector('tr[data-status=approved]');
    await expect(owner.page.locator('tr[data-status=approved]').innerText()).resolves.toContain('approved for launch');
    // The approved limit rose; the organization's own is as the owner set it, and still binds.
    await expect(approvedLimit.innerText()).resolves.toBe(`$500.00 ${text('en', 'limits.quotaTitle')}`);
    await expect(owner.page.getByTestId('enforced-limit').innerText()).resolves.toBe('$20.00');
    await expect(own.getByTestId('spend-limit-current').innerText()).resolves.toBe(text('en', 'spend.current', { amount: '$20.00' }));

    // A rejection needs a note: spaces alone are refused in the dialog, nothing is sent.
    expect((await session.call('POST', '/console/api/quota_requests', { hard_limit_usd: 900, reason: 'even more' })).status).toBe(200);
    await op.page.reload();
    const second = op.page.locator('tr[data-status=pending]', { hasText: 'even more' });
    await second.getByRole('button', { name: text('en', 'operator.rejectFor', { org: orgName, amount: '$900.00' }), exact: true }).click();
    const rejecting = op.page.getByRole('dialog');
    const why = rejecting.getByLabel(text('en', 'operator.rejectNote'));
    await why.fill('   ');
    await rejecting.getByRole('button', { name: text('en', 'operator.rejectSubmit') }).click();
    await expect(why.evaluate((el: HTMLTextAreaElement) => el.validationMessage)).resolves.toBe(text('en', 'operator.noteRequired'));
    expect((await f.g.admin('GET', billing)).body.quota_requests[0].status).toBe('pending');
    await why.fill('not this month');
    await rejecting.getByRole('button', { name: text('en', 'operator.rejectSubmit') }).click();
    await op.page.waitForSelector('tr[data-status=rejected]');
    expect((await f.g.admin('GET', billing)).body.quota_requests[0]).toMatchObject({ status: 'rejected', note: 'not this month' });
    expect(prompts).toEqual([]);
    await owner.context.close();
    await op.context.close();
  }, 120_000);

  it('the approved limit lowered while the Limits page is open: a refused amount above it brings the page to the new bound', async () => {
    const billing = `/admin/v1/organizations/${f.g.orgId}/billing`;
    const session = new Session(f.g.url);
    await session.signIn(f.owner.email, f.owner.password);
    expect((await session.call('DELETE', '/v1/organization/spend_limit')).status).toBe(200);
    expect((await f.g.admin('PUT', billing, { hard_limit_usd: 50 })).status).toBe(200);

    const owner = await openContext(f.browser, 'en');
    await signIn(owner.page, f.g.url, f.owner.email, f.owner.password);
    await owner.page.click(`nav >> text="${text('en', 'nav.limits')}"`);
    const approvedLimit = owner.page.getByTestId('approved-limit');
    await expect.poll(() => approvedLimit.innerText()).toBe(`$50.00 ${text('en', 'limits.quotaTitle')}`);
    const own = owner.page.getByRole('region', { name: text('en', 'limits.orgSpendLimit') });
    const amount = own.getByLabel(text('en', 'spend.amount'));
    await expect(amount.getAttribute('max')).resolves.toBe('50');

    // The operator lowers the approved limit to $30; the page still bounds the field at $50.
    expect((await f.g.admin('PUT', billing, { hard_limit_usd: 30 })).status).toBe(200);
    await amount.fill('40');
    await own.getByRole('button', { name: text('en', 'common.save') }).click();
    await expect(own.getByRole('alert').innerText()).resolves.toContain(text('en', 'spend.aboveApproved'));
    // The refusal read the limits again: the page names the $30 the gateway applied, and bounds the field by it.
    await expect.poll(() => approvedLimit.innerText()).toBe(`$30.00 ${text('en', 'limits.quotaTitle')}`);
    await expect.poll(() => owner.page.getByTestId('enforced-limit').innerText()).toBe('$30.00');
    await expect.poll(() => amount.getAttribute('max')).toBe('30');
    await expect(own.innerText()).resolves.toContain(text('en', 'spend.atMostApproved', { amount: '$30.00' }));
    await expect(own.getByTestId('spend-limit-current').innerText()).resolves.toBe(text('en', 'spend.none'));
    expect((await f.g.admin('GET', billing)).body).toMatchObject({ hard_limit_usd: 30, spend_limit_usd: null });
    await owner.context.close();
  }, 60_000);
});
