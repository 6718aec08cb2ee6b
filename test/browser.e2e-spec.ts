/// <reference lib="dom" />
// The functions given to page.evaluate() run in the page: they see the DOM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { login, sessionIdOf } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { CHROMIUM, CHROMIUM_ARGS } from './setup/chromium.js';
import { sessionRow } from './setup/db-reads.js';


interface Preset {
  /** Where the page is served from; the API is always on 127.0.0.1 (another port, so another origin). */
  pageHost: 'localhost' | '127.0.0.1';
  sameSite: 'strict' | 'none';
}

/**
 * The README presets in a real browser. Every call is a CORS request (another origin). Ports do not
 * make a site, hosts do: a page on 127.0.0.1:<other port> is same-site (the same-site SPA preset,
 * SameSite=Strict), a page on localhost is another site (the cross-site preset, SameSite=None with
 * Secure; Chromium counts both hosts as secure contexts over plain http). Chromium, like other
 * browsers, blocks third-party cookies by default: the cross-site profile allows them, as a user
 * of such a front end must (README).
 */
function browserSuite({ pageHost, sameSite }: Preset): void {
  let t: TestApp;
  let pages: Server;
  let context: BrowserContext;
  let page: Page;
  let api: string;
  let origin: string;
  const profile = mkdtempSync(join(tmpdir(), 'auth-chromium-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    pages = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>SPA</title><body></body>');
    });
    await new Promise<void>((listening) => pages.listen(0, listening));
    origin = `http://${pageHost}:${(pages.address() as AddressInfo).port}`;
    t = await createTestApp({
      env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SAMESITE: sameSite, COOKIE_SECURE: 'true', CORS_ORIGINS: origin },
    });
    if (sameSite === 'none') {
      mkdirSync(join(profile, 'Default'));
      writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
    }
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    api = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}/api/v1`;
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/`);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await t?.close();
    await new Promise((closed) => pages?.close(closed));
    rmSync(profile, { recursive: true, force: true });
  }, 60_000);

  /** fetch() from the page's own script, as a SPA calls the API: credentials included, JSON. */
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    page.evaluate(
      async ({ url, method, token, body }) => {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (token) headers.Authorization = `Bearer ${token}`;
        const response = await fetch(url, {
          method,
          credentials: 'include',
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return {
          status: response.status,
          body: text ? JSON.parse(text) : null,
          requestId: response.headers.get('x-request-id'),
          pageCookies: document.cookie,
        };
      },
      { url: `${api}${path}`, method, token: options.token, body: options.body },
    );

  const refreshCookie = async () => (await context.cookies(`${api}/auth/refresh`)).find((cookie) => cookie.name === 'refresh_token');

  it('registers, refreshes by cookie without ever seeing the token, edits the profile, ends a session and logs out', async () => {
    const account = newUser();
    const registered = await call('POST', '/auth/register', { body: account });
    expect(registered.status).toBe(201);
    expect(registered.body).not.toHaveProperty('refreshToken');
    expect(registered.requestId).toMatch(/\S/);
    expect(registered.pageCookies).not.toContain('refresh_token');
    const stored = await refreshCookie();
    expect(stored).toMatchObject({ httpOnly: true, secure: true, sameSite: sameSite === 'none' ? 'None' : 'Strict', path: '/api/v1/auth' });
    const sid = sessionIdOf(registered.body.accessToken);

    const refreshed = await call('POST', '/auth/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refreshToken');
    expect(refreshed.pageCookies).not.toContain('refresh_token');
    expect((await refreshCookie())?.value).not.toBe(stored!.value);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1 });
    const accessToken: string = refreshed.body.accessToken;

    const renamed = await call('PATCH', '/users/me', { token: accessToken, body: { name: 'Renamed in Chromium' } });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Renamed in Chromium' } });

    const otherDevice = await login(t, account.email, account.password, 'other device');
    const ended = await call('DELETE', `/auth/sessions/${sessionIdOf(otherDevice.accessToken)}`, { token: accessToken });
    expect(ended.status).toBe(204);
    expect((await sessionRow(t, sessionIdOf(otherDevice.accessToken))).revoked_at).not.toBeNull();

    const loggedOut = await call('POST', '/auth/logout');
    expect(loggedOut.status).toBe(204);
    expect(await refreshCookie()).toBeUndefined();
    expect((await sessionRow(t, sid)).revoked_at).not.toBeNull();
    expect(await call('POST', '/auth/refresh')).toMatchObject({ status: 401, body: { code: 'token_missing' } });
    expect(pageErrors).toEqual([]);
  });

  it(`refuses an HTML form POST from the page's origin to /auth/refresh with 415, though the browser sends the cookie`, async () => {
    const registered = await call('POST', '/auth/register', { body: newUser() });
    expect(registered.status).toBe(201);
    const sid = sessionIdOf(registered.body.accessToken);

    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url() === `${api}/auth/refresh` && candidate.request().method() === 'POST'),
      page.evaluate((action) => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = action;
        const field = document.createElement('input');
        field.name = 'refreshToken';
        field.value = 'x';
        form.append(field);
        document.body.append(form);
        form.submit();
      }, `${api}/auth/refresh`),
    ]);

    expect(response.status()).toBe(415);
    expect(await response.request().headerValue('cookie')).toMatch(/refresh_token=/);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 0, revoked_at: null });
    expect(pageErrors).toEqual([]);
  });
}

describe('a browser app on another origin (Chromium, cookie transport, CORS)', () => {
  if (existsSync(CHROMIUM)) {
    describe('same site (page on 127.0.0.1, another port): COOKIE_SAMESITE=strict', () => {
      browserSuite({ pageHost: '127.0.0.1', sameSite: 'strict' });
    });
    describe('cross-site (page on localhost): COOKIE_SAMESITE=none, Secure', () => {
      browserSuite({ pageHost: 'localhost', sameSite: 'none' });
    });
  } else if (process.env.CI) {
    it('has Chromium to run against', () => {
      throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install -y chromium)`);
    });
  } else {
    console.warn(`Skipping the Chromium suite: ${CHROMIUM} is missing (apt-get install -y chromium).`);
    it.skip('needs Chromium', () => undefined);
  }
});
