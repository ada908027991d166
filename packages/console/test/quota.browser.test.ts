/**
 * A quota increase end to end in headless Chromium against a real gateway: an owner asks for a
 * higher hard limit on the Limits page, the operator approves it on the operator's page, the
 * organization's hard limit becomes the requested one and the owner sees the request approved.
 * Skips, saying why, only when Chromium is not installed.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, signIn, screenshot, text, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)('quota requests in the console', () => {
  const f = useConsoleFixture();

  it('an owner asks, the operator approves, the new hard limit applies', async () => {
    const billing = `/admin/v1/organizations/${f.g.orgId}/billing`;
    expect((await f.g.admin('PUT', billing, { hard_limit_usd: 10 })).status).toBe(200);

    const owner = await openContext(f.browser, 'en');
    await signIn(owner.page, f.g.url, f.owner.email, f.owner.password);
    await owner.page.click(`nav >> text="${text('en', 'nav.limits')}"`);
    await owner.page.fill('input[name=hard_limit_usd]', '50');
    await owner.page.fill('textarea[name=reason]', 'launch week traffic');
    await owner.page.click(`button:text-is("${text('en', 'limits.quotaSubmit')}")`);
    await owner.page.waitForSelector('tr[data-status=pending]');

    const user = await f.g.admin('POST', '/admin/v1/users', { email: `operator-${Date.now()}@example.com`, name: 'Operator' });
    const password = 'operator-password-long-enough';
    expect((await f.g.admin('POST', `/admin/v1/users/${user.body.id}/password`, { password, operator: true })).status).toBeLessThan(300);
    const op = await openContext(f.browser, 'en');
    await signIn(op.page, f.g.url, user.body.email, password);
    await op.page.click(`nav >> text="${text('en', 'nav.quotaRequests')}"`);
    const row = op.page.locator('tr[data-status=pending]', { hasText: 'launch week traffic' });
    await row.waitFor();
    await screenshot(op.page, 'operator-quota-requests', 'en');
    op.page.once('dialog', (d) => void d.accept('approved for launch'));
    // Each row's buttons are named apart for a screen reader: the organization and the amount.
    await row.getByRole('button', { name: text('en', 'operator.approveFor', { org: f.g.orgId, amount: '$50.00' }), exact: true }).click();
    await op.page.waitForSelector('tr[data-status=approved]');

    expect((await f.g.admin('GET', billing)).body.hard_limit_usd).toBe(50);
    await owner.page.reload();
    await owner.page.waitForSelector('tr[data-status=approved]');
    await expect(owner.page.locator('tr[data-status=approved]').innerText()).resolves.toContain('approved for launch');
    await owner.context.close();
    await op.context.close();
  }, 120_000);
});
