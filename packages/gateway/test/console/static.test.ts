/**
 * The console's files served by the gateway: the app at `/` with its security headers, the SPA
 * fallback for HTML requests, `/` → `login` for a visitor without a session, the API's own 404s
 * untouched, a clear 503 page when the app is not built, a public URL with a sub-path, and
 * `/favicon.ico` answered (the console's icon; 204 without a build), never a 404.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const INDEX = '<!doctype html><html><head><!-- the gateway inserts <base href="..."> --><meta charset="utf-8"><script type="module" src="./assets/app-1234.js"></script></head><body><div id="root"></div></body></html>';

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32"/></svg>';

function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log("app")');
  writeFileSync(join(dir, 'favicon.svg'), ICON);
  return dir;
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('console files', () => {
  let gw: TestGateway;
  let sub: TestGateway;
  let bare: TestGateway;

  beforeAll(async () => {
    const dist = fakeDist();
    gw = await startTestGateway({}, { consoleDist: dist });
    sub = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test/llm', shutdown_grace_ms: 2000 } }, { consoleDist: dist });
    bare = await startTestGateway({}, { consoleDist: join(dist, 'no-such-build') });
  });
  afterAll(async () => {
    await Promise.all([gw.close(), sub.close(), bare.close()]);
  });

  it('serves /login as the app with CSP (no inline scripts), frame-ancestors none, nosniff', async () => {
    const r = await fetch(`${gw.url}/login`, { headers: html });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
    const body = await r.text();
    expect(body).toContain('<base href="/">');
    expect(body).toContain('./assets/app-1234.js');
    const asset = await fetch(`${gw.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await asset.text()).toBe('console.log("app")');
  });

  it('sends a signed-out visitor from / to login, and a signed-in one gets the app', async () => {
    const r = await fetch(`${gw.url}/`, { headers: html, redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/login');
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    const b = new Browser(gw.url);
    const email = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
    await b.signIn(email, PASSWORD);
    const signedIn = await b.call('GET', '/', undefined, { headers: html });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toContain('<div id="root">');
  });

  it('keeps the API 404s and never answers API paths with the app', async () => {
    const api = await fetch(`${gw.url}/v1/no-such-thing`, { headers: html });
    expect(api.status).toBe(404);
    expect((await api.json()).error.message).toMatch(/^Invalid URL/);
    const json = await fetch(`${gw.url}/projects/abc`);
    expect(json.status).toBe(404);
    const deep = await fetch(`${gw.url}/projects/abc`, { headers: html });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${gw.url}/../../etc/passwd`, { headers: html })).status).not.toBe(500);
  });

  it('without a build: a clear 503 page, not a crash; the API works', async () => {
    const r = await fetch(`${bare.url}/login`, { headers: html });
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build');
    expect((await fetch(`${bare.url}/console/api/config`)).status).toBe(200);
  });

  it('under a sub-path: the prefix is served (kept or stripped by the proxy), base href and cookie path follow it', async () => {
    const page = await fetch(`${sub.url}/llm/login`, { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/llm/">');
    const root = await fetch(`${sub.url}/llm/`, { headers: html, redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/llm/login');
    const config = await (await fetch(`${sub.url}/llm/console/api/config`)).json();
    expect(config.base_path).toBe('/llm/');
    expect((await fetch(`${sub.url}/console/api/config`)).status).toBe(200);
    await sub.admin('POST', `/admin/v1/users/${sub.userId}/password`, { password: PASSWORD });
    const email = (await sub.admin('GET', `/admin/v1/users/${sub.userId}`)).body.email;
    const r = await fetch(`${sub.url}/llm/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(r.status).toBe(200);
    expect(r.headers.getSetCookie()[0]).toMatch(/Path=\/llm\//);
  });

  it('answers /favicon.ico with the console icon (204 without a build), at the root and under a sub-path', async () => {
    // As a browser asks for it: an image, not HTML.
    const image = { accept: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8' };
    for (const url of [`${gw.url}/favicon.ico`, `${sub.url}/llm/favicon.ico`, `${sub.url}/favicon.ico`]) {
      const r = await fetch(url, { headers: image });
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/svg+xml');
      expect(r.headers.get('cache-control')).toMatch(/max-age=\d+/);
      expect(await r.text()).toBe(ICON);
    }
    const head = await fetch(`${gw.url}/favicon.ico`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const svg = await fetch(`${gw.url}/favicon.svg`, { headers: image });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    const none = await fetch(`${bare.url}/favicon.ico`, { headers: image });
    expect(none.status).toBe(204);
    expect(await none.text()).toBe('');
  });
});
