/**
 * A webhook URL is a secret where it counts: chat services put the token in the path. What the
 * gateway logs and stores about a delivery names the webhook by its origin only, and an attempt's
 * error never quotes the URL.
 */
import { describe, expect, it } from 'vitest';
import { webhookLabel } from '../../src/config/redact-url.js';
import { deliverWebhook, type Attempt } from '../../src/http/webhook-delivery.js';

const SECRET_URL = 'https://user:pw@hooks.example.com/services/T0001/B0002/s3cr3tT0k3n?sig=abc';

describe('webhookLabel', () => {
  it('keeps the origin and masks path, query and credentials', () => {
    expect(webhookLabel(SECRET_URL)).toBe('https://hooks.example.com/***');
    expect(webhookLabel('http://127.0.0.1:9000/hook')).toBe('http://127.0.0.1:9000/***');
    expect(webhookLabel('https://hooks.example.com/')).toBe('https://hooks.example.com');
    expect(webhookLabel('https://hooks.example.com')).toBe('https://hooks.example.com');
    expect(webhookLabel('not a url s3cr3tT0k3n')).toBe('***');
  });
});

describe('deliverWebhook', () => {
  const clock = { now: () => 0, sleep: async () => {} };
  const policy = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 1000 };

  it('an error that quotes the URL is recorded with the URL masked', async () => {
    const recorded: Attempt[] = [];
    const failing = (async (input: string | URL | Request) => {
      throw new TypeError(`Failed to parse URL from ${String(input)}`);
    }) as typeof fetch;
    const final = await deliverWebhook({ ...policy, clock, fetch: failing }, { url: SECRET_URL, body: '{}', headers: () => ({}) }, 0, async (a) => {
      recorded.push(a);
    });
    expect(final).toMatchObject({ delivered: false, last: true, attempt: 2 });
    expect(recorded).toHaveLength(2);
    for (const a of recorded) {
      expect(a.error).toBe('Failed to parse URL from https://hooks.example.com/***');
      expect(a.error).not.toContain('s3cr3tT0k3n');
    }
  });
});
