import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { CHROMIUM, CHROMIUM_ARGS } from './setup/chromium.js';

/**
 * Swagger UI as a person uses it, in Debian's Chromium: register through "Try it out", authorize
 * with the access token, call a protected route, refresh with the cookie the browser keeps. Any
 * console error, uncaught exception or CSP violation fails the suite.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'swagger-ui');
const browserAvailable = existsSync(CHROMIUM);

if (!browserAvailable && !process.env.CI) {
  console.warn(`Swagger UI browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium). CI fails instead.`);
}

const describeInBrowser = browserAvailable || process.env.CI ? describe : describe.skip;

/** An operation's block, found as a reader finds it: by method and path. */
const operationBlock = (page: Page, method: string, path: string) =>
  page.locator(`.opblock.opblock-${method}:has(.opblock-summary-path[data-path="${path}"])`);

interface Executed {
  /** The request body Swagger UI offered (its example), before any edit. */
  offered?: string;
  status: number;
  body: string;
}

/** Expands an operation, presses "Try it out", optionally replaces the body, presses Execute; returns what the UI shows. */
async function tryItOut(page: Page, block: Locator, body?: string): Promise<Executed> {
  await block.locator('.opblock-summary').first().click();
  await block.getByRole('button', { name: 'Try it out' }).click();
  const editor = block.locator('textarea.body-param__text');
  const offered = (await editor.count()) ? await editor.inputValue() : undefined;
  if (body !== undefined) await editor.fill(body);
  await block.getByRole('button', { name: 'Execute' }).click();
  const status = block.locator('.live-responses-table .response .response-col_status');
  await status.waitFor();
  const text = block.locator('.live-responses-table .response .response-col_description pre');
  return { offered, status: Number((await status.innerText()).trim()), body: (await text.count()) ? await text.first().innerText() : '' };
}

describeInBrowser('Swagger UI in Chromium', () => {
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!browserAvailable) throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    // getUrl() says localhost; the test stays on the address the app listens on.
    base = base.replace('localhost', '127.0.0.1').replace('[::1]', '127.0.0.1');
    profile = await mkdtemp(join(tmpdir(), 'swagger-ui-chromium-'));
    await mkdir(ARTIFACTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    // Chromium reports some CSP violations only as DOM events; log them where the listener below sees them.
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) =>
        console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline')));`,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await t?.close();
  }, 60_000);

  it('registers, authorizes, reads the profile and refreshes with the cookie, without a console error', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .information-container .title').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '01-loaded.png') });

    const account = newUser();
    const registerBlock = operationBlock(page, 'post', '/api/v1/auth/register');
    const registered = await tryItOut(page, registerBlock, JSON.stringify(account));
    await registerBlock.screenshot({ path: join(ARTIFACTS, '02-registered.png') });
    expect(registered.status).toBe(201);
    const { accessToken, user } = JSON.parse(registered.body) as { accessToken: string; user: { email: string } };
    expect(user.email).toBe(account.email);

    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input[type=text]').first().fill(accessToken);
    await dialog.locator('button.modal-btn.authorize').first().click();
    await dialog.locator('button.modal-btn.btn-done').first().click();
    await expect(dialog.count()).resolves.toBe(0);

    const meBlock = operationBlock(page, 'get', '/api/v1/users/me');
    const me = await tryItOut(page, meBlock);
    await meBlock.screenshot({ path: join(ARTIFACTS, '03-me.png') });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ email: account.email });

    // The example body is empty, so the refresh token travels only as the HttpOnly cookie the
    // register response set: executed as offered, unedited.
    const refreshBlock = operationBlock(page, 'post', '/api/v1/auth/refresh');
    const refreshRequest = page.waitForRequest((sent) => new URL(sent.url()).pathname === '/api/v1/auth/refresh');
    const refreshed = await tryItOut(page, refreshBlock);
    expect(JSON.parse(refreshed.offered ?? 'null')).toEqual({});
    await refreshBlock.screenshot({ path: join(ARTIFACTS, '04-refreshed.png') });
    const sent = await refreshRequest;
    expect(sent.postData() ?? '').not.toContain('refreshToken');
    expect((await sent.allHeaders()).cookie).toMatch(/(^|; )refresh_token=/);
    expect(refreshed.status).toBe(200);
    const tokens = JSON.parse(refreshed.body) as { accessToken: string };
    expect(tokens.accessToken).not.toBe(accessToken);

    expect(problems).toEqual([]);
  }, 120_000);
});
