/**
 * Errors under /status are pages for people when a browser asks (Accept prefers text/html): an
 * unknown incident link or path is a 404 page in the status page's style and language, a failure
 * a 500 page; a client asking for JSON (or anything) keeps the catalog's JSON error. Before, every
 * one of them was the JSON body, shown raw in the browser.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { prefersHtml } from '../../src/http/accept.js';
import { TEXT } from '../../src/status/i18n.js';
import { statusGateway } from './helpers.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('prefersHtml', () => {
  it('is true for a browser navigation, false for API clients', () => {
    expect(prefersHtml(BROWSER)).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml('application/json')).toBe(false);
    expect(prefersHtml('application/json, text/html;q=0.5')).toBe(false);
    expect(prefersHtml('text/html;q=0')).toBe(false);
  });
});

describe('status page errors', () => {
  let g: TestGateway;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${g.url}${path}`, { headers });

  beforeAll(async () => {
    ({ g } = await statusGateway());
    await g.gateway.services.status.tick();
  });
  afterAll(async () => {
    await g?.close();
  });

  it('an unknown incident or path is a 404 page for a browser, in English or Chinese, styled like the page', async () => {
    for (const path of ['/status/incidents/nope', '/status/nope', '/status/incidents/a/b']) {
      const r = await get(path, { accept: BROWSER });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-language')).toBe('en');
      const html = await r.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain(`<h2>${TEXT.en.notFoundTitle}</h2>`);
      expect(html).toContain(TEXT.en.notFound);
      expect(html).toContain('<header><h1>Tollgate Status</h1>');
      expect(html).toContain(`href="http://gateway.test/status?lang=en">${TEXT.en.current}</a>`);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toContain('"error"');
    }
    const zh = await get('/status/incidents/nope', { accept: BROWSER, 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.status).toBe(404);
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    const text = await zh.text();
    expect(text).toContain('<html lang="zh-CN">');
    expect(text).toContain(TEXT['zh-CN'].notFound);
    expect(await (await get('/status/incidents/nope?lang=zh-CN', { accept: BROWSER })).text()).toContain(TEXT['zh-CN'].notFoundTitle);
  });

  it('API clients keep the JSON error', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const r = await get('/status/incidents/nope', accept ? { accept } : {});
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect((await r.json()).error.code).toBe('resource_not_found');
    }
    const unknown = await get('/status/nope', { accept: 'application/json' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toContain('/status/nope');
    // Paths that are not the status page's keep their JSON answer, browser or not.
    const api = await get('/v1/nope', { accept: BROWSER });
    expect(api.headers.get('content-type')).toBe('application/json');
  });

  it('another method than GET is a page saying the request cannot be answered, not that the page is down', async () => {
    const r = await fetch(`${g.url}/status`, { method: 'POST', headers: { accept: BROWSER } });
    expect(r.status).toBe(405);
    const html = await r.text();
    expect(html).toContain(`<h2>${TEXT.en.requestTitle}</h2>`);
    expect(html).toContain('data-error="405"');
    expect(html).not.toContain(TEXT.en.errorTitle);
  });

  it('a failure while rendering is a 500 page for a browser, JSON for a client', async () => {
    const spy = vi.spyOn(g.gateway.services.status, 'snapshot').mockRejectedValue(new Error('boom'));
    try {
      const page = await get('/status', { accept: BROWSER });
      expect(page.status).toBe(500);
      const html = await page.text();
      expect(html).toContain(`<h2>${TEXT.en.errorTitle}</h2>`);
      expect(html).toContain('data-error="500"');
      const api = await get('/status');
      expect(api.status).toBe(500);
      expect((await api.json()).error.type).toBeDefined();
    } finally {
      spy.mockRestore();
    }
  });
});
