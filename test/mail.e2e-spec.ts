import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MAIL_RESULT, type MailResultEvent } from '../src/mail/mail.events.js';
import { forgotPassword, linkTokensOf, resetPassword } from './factories/account.factory.js';
import { login, registerUser } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { freePort, TestSmtpServer, tokenOf } from './setup/smtp.js';
import { sleep, waitFor } from './setup/wait.js';

/** Nest's logger, captured: every line the application logs through `Logger`. */
class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  log = (message: unknown, context?: string) => this.lines.push({ level: 'log', message: String(message), context });
  warn = (message: unknown, context?: string) => this.lines.push({ level: 'warn', message: String(message), context });
  error = (message: unknown, ...rest: unknown[]) =>
    this.lines.push({ level: 'error', message: String(message), context: rest.at(-1) as string });
  debug = () => undefined;
  verbose = () => undefined;
}

const resultsOf = (t: TestApp) => {
  const results: MailResultEvent[] = [];
  t.app.get(EventEmitter2).on(MAIL_RESULT, (event: MailResultEvent) => results.push(event));
  return results;
};

describe('Mail over SMTP when the server is down at first', () => {
  let t: TestApp;
  let port: number;
  let smtp: TestSmtpServer | undefined;

  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({ env: { SMTP_URL: TestSmtpServer.smtpUrl(port), AUTH_EMAIL_VERIFICATION: 'off' } });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('answers 202, retries the refused mail, and delivers it once the server is up', async () => {
    const results = resultsOf(t);
    const logger = new CapturingLogger();
    t.app.useLogger(logger);
    const user = await registerUser(t);

    expect((await forgotPassword(t, user.user.email)).status).toBe(202);
    await waitFor(async () => (await linkTokensOf(t, user.user.id, 'password_reset')).length === 1, 2000);
    // The first attempt is refused (nothing listens), and logged as a retry.
    await waitFor(() => logger.lines.some((line) => line.level === 'warn' && /mail attempt 1 failed: kind=password_reset/.test(line.message)), 5000);
    expect(results).toEqual([]);

    smtp = await TestSmtpServer.start(port);
    const mail = await smtp.waitForMail(user.user.email, { timeoutMs: 15_000 });

    expect((await resetPassword(t, tokenOf(mail), 'delivered after all')).status).toBe(204);
    await login(t, user.user.email, 'delivered after all');
    await waitFor(() => results.length > 0, 1000);
    expect(results).toEqual([{ kind: 'password_reset', result: 'sent' }]);
    expect(smtp.mailsTo(user.user.email)).toHaveLength(1);
  });
});

describe('Mail to the log (no SMTP_URL outside production)', () => {
  let t: TestApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: 'http://localhost:5173' } });
    t.app.useLogger(logger);
  });

  afterEach(() => {
    logger.lines.length = 0;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('writes each mail as one line with its link, which works', async () => {
    const results = resultsOf(t);
    const user = await registerUser(t);

    expect((await forgotPassword(t, user.user.email)).status).toBe(202);
    const line = await waitFor(
      () => logger.lines.find((entry) => entry.context === 'Mail' && entry.message.includes('kind=password_reset')),
      2000,
    );

    const match = new RegExp(
      `^mail not sent \\(no SMTP_URL\\): kind=password_reset to=${user.user.email.replace(/[.]/g, '\\.')} ` +
        'link=(http://localhost:5173/reset-password\\?token=[A-Za-z0-9_-]{43})$',
    ).exec(line.message);
    expect(match).not.toBeNull();
    expect(line.level).toBe('log');
    const token = new URL(match![1]).searchParams.get('token')!;
    expect((await resetPassword(t, token, 'reset from the log')).status).toBe(204);
    await login(t, user.user.email, 'reset from the log');

    // The registration's verification link went the same way.
    expect(logger.lines.some((entry) => /kind=email_verification .*link=http:\/\/localhost:5173\/verify-email\?token=/.test(entry.message))).toBe(true);
    await waitFor(() => results.some((result) => result.kind === 'password_reset'), 1000);
    expect(results).toContainEqual({ kind: 'password_reset', result: 'sent' });
  });

  it('logs nothing for an unknown email', async () => {
    expect((await forgotPassword(t, 'nobody-here@example.com')).status).toBe(202);
    await sleep(300);
    expect(logger.lines.filter((entry) => entry.message.includes('nobody-here@example.com'))).toEqual([]);
  });
});
