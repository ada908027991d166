/**
 * The spend alerts' explanation says what happens when an alert is reached. It read 'An e-mail to
 * the recipients once a month…', but Tollgate sends no e-mail for an alert: it logs the crossing
 * and POSTs a notice to the operator's billing webhook (billing.soft_limit_webhook_url), whose
 * receiver mails the recipients (README, Spend alerts). Without that webhook nobody is told, so an
 * owner reading the page expected mail that never came.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../src/i18n/messages.js';

describe('the spend alerts explanation', () => {
  it('names the webhook and promises no e-mail from Tollgate, in both languages', () => {
    const en = MESSAGES.en['alerts.intro'];
    expect(en).toContain("operator's billing webhook");
    expect(en).toContain('Tollgate sends no e-mail itself');
    expect(en).not.toMatch(/^An e-mail to the recipients/);
    const zh = MESSAGES['zh-CN']['alerts.intro'];
    expect(zh).toContain('Webhook');
    expect(zh).toContain('Tollgate 本身不发送电子邮件');
  });
});
