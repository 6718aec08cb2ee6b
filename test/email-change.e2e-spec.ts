import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  changeEmail,
  changePassword,
  forgotPassword,
  linkTokensOf,
  resendVerification,
  verificationTokenFor,
  verifyEmail,
} from './factories/account.factory.js';
import { bearer, login, registerUser, sessionIdOf, tokenInfo, type SignedIn } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, useSmtpApp, useTestApp, type TestApp } from './setup/create-test-app.js';
import { events, usersWithEmail } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { linkOf } from './setup/smtp.js';

const APP_URL = 'https://app.example.test';

const emailOf = async (t: TestApp, userId: string) =>
  (await t.db.query<{ email: string; email_verified_at: Date | null }>(`SELECT email, email_verified_at FROM users WHERE id = $1`, [userId]))[0];

describe('Email change (POST /users/me/email, confirmed by a link to the new address)', () => {
  const { t, smtp } = useSmtpApp({ env: { APP_URL, AUTH_EMAIL_VERIFICATION: 'off' } });

  it('mails a confirmation link to the new address and a notice to the old; the link applies the change', async () => {
    const user = await registerUser(t);
    const newEmail = newUser().email;

    const response = await changeEmail(t, user.accessToken, `  ${newEmail.toUpperCase()} `, user.password);
    expect(response.status).toBe(202);
    expect(response.text).toBe('');

    const confirmation = await smtp.waitForMail(newEmail, { subject: /confirm your new email address/i });
    const link = linkOf(confirmation);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP_URL}/verify-email`);
    const notice = await smtp.waitForMail(user.user.email, { subject: /about to change/i });
    expect(notice.text).toContain(newEmail);
    expect(notice.text).not.toMatch(/token=/);

    // Nothing changes before the link is opened.
    expect(await emailOf(t, user.user.id)).toEqual({ email: user.user.email, email_verified_at: null });
    const [pending] = await linkTokensOf(t, user.user.id, 'email_change');
    expect(pending).toMatchObject({ new_email: newEmail, used_at: null, voided_at: null });

    const confirmed = await verifyEmail(t, link.searchParams.get('token')!);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ ...user.user, email: newEmail, emailVerified: true });
    expect(await emailOf(t, user.user.id)).toEqual({ email: newEmail, email_verified_at: expect.any(Date) });
    await expect(events(t, { userId: user.user.id, type: 'email_changed' })).resolves.toHaveLength(1);

    // Sessions stay; the new address signs in, the old one no longer does.
    await tokenInfo(t, user.accessToken).expect(200);
    await login(t, newEmail, user.password);
    expectProblem(
      await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: user.password }),
      401,
      'invalid_credentials',
    );
  });

  it('refuses a wrong current password with a field error, changing and mailing nothing', async () => {
    const user = await registerUser(t);
    const newEmail = newUser().email;

    const response = await changeEmail(t, user.accessToken, newEmail, `${user.password}-wrong`);

    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([{ field: 'currentPassword', message: 'currentPassword is incorrect' }]);
    await expect(linkTokensOf(t, user.user.id)).resolves.toEqual([]);
    expect(smtp.mailsTo(newEmail)).toEqual([]);
  });

  it('answers 409 email_taken when the new address belongs to an account, at the request', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);

    expectProblem(await changeEmail(t, user.accessToken, other.user.email.toUpperCase(), user.password), 409, 'email_taken');
    expectProblem(await changeEmail(t, user.accessToken, user.user.email, user.password), 409, 'email_taken');
    await expect(linkTokensOf(t, user.user.id)).resolves.toEqual([]);
  });

  it('answers 409 email_taken when the address was registered before confirmation, leaving the link unspent', async () => {
    const user = await registerUser(t);
    const newEmail = newUser().email;
    expect((await changeEmail(t, user.accessToken, newEmail, user.password)).status).toBe(202);
    const token = await verificationTokenFor(smtp, newEmail);

    await registerUser(t, { email: newEmail });
    expectProblem(await verifyEmail(t, token), 409, 'email_taken');

    expect(await emailOf(t, user.user.id)).toEqual({ email: user.user.email, email_verified_at: null });
    const [row] = await linkTokensOf(t, user.user.id, 'email_change');
    expect(row.used_at).toBeNull();
    await expect(events(t, { userId: user.user.id, type: 'email_changed' })).resolves.toEqual([]);
  });

  it('lets a newer change request supersede the older one', async () => {
    const user = await registerUser(t);
    const [first, second] = [newUser().email, newUser().email];
    expect((await changeEmail(t, user.accessToken, first, user.password)).status).toBe(202);
    const older = await verificationTokenFor(smtp, first);
    expect((await changeEmail(t, user.accessToken, second, user.password)).status).toBe(202);
    const newer = await verificationTokenFor(smtp, second);

    expectProblem(await verifyEmail(t, older), 400, 'link_invalid');
    expect((await verifyEmail(t, newer)).body.email).toBe(second);
  });

  it('validates the body and needs an access token', async () => {
    const user = await registerUser(t);
    const send = (body: Record<string, unknown>) =>
      request(t.server).post('/api/v1/users/me/email').set(bearer(user.accessToken)).send(body);

    expectProblem(await send({ newEmail: 'not-an-email', currentPassword: user.password }), 400, 'validation_failed');
    expectProblem(await send({ newEmail: newUser().email }), 400, 'validation_failed');
    expectProblem(await send({ newEmail: newUser().email, currentPassword: user.password, email: 'x@example.com' }), 400, 'validation_failed');
    expectProblem(await send({ newEmail: `${'a'.repeat(250)}@example.com`, currentPassword: user.password }), 400, 'validation_failed');
    expectProblem(
      await request(t.server).post('/api/v1/users/me/email').send({ newEmail: newUser().email, currentPassword: 'x' }),
      401,
      'token_missing',
    );
    await expect(linkTokensOf(t, user.user.id)).resolves.toEqual([]);
  });

  it('voids outstanding reset and verification links when the change is confirmed', async () => {
    const verifying = await createTestApp({ env: { SMTP_URL: smtp.url, AUTH_EMAIL_VERIFICATION: 'optional' }, db: t.db });
    try {
      const user = await registerUser(verifying);
      await verificationTokenFor(smtp, user.user.email);
      expect((await forgotPassword(verifying, user.user.email)).status).toBe(202);
      await smtp.waitForMail(user.user.email, { subject: /reset your password/i });
      const newEmail = newUser().email;
      expect((await changeEmail(verifying, user.accessToken, newEmail, user.password)).status).toBe(202);

      expect((await verifyEmail(verifying, await verificationTokenFor(smtp, newEmail))).status).toBe(200);

      const rows = await linkTokensOf(verifying, user.user.id);
      expect(rows.map((row) => ({ kind: row.kind, used: row.used_at !== null, voided: row.voided_at !== null }))).toEqual([
        { kind: 'email_verification', used: false, voided: true },
        { kind: 'password_reset', used: false, voided: true },
        { kind: 'email_change', used: true, voided: false },
      ]);
      // Verified through the change: a resend sends nothing.
      expect((await resendVerification(verifying, user.accessToken)).status).toBe(202);
      await expect(linkTokensOf(verifying, user.user.id, 'email_verification')).resolves.toHaveLength(1);
    } finally {
      await verifying.close();
    }
  });
});

describe('wrong current passwords on the email change, limited per user (API.md: 429 after 5 failures in 15 minutes)', () => {
  const t = useTestApp({ env: { THROTTLE_ENABLED: 'true', AUTH_EMAIL_VERIFICATION: 'off' } });

  /** The account kept its email and no change is pending: nothing was written but the failure events. */
  const expectUnchanged = async (user: SignedIn, newEmail: string) => {
    expect(await usersWithEmail(t, user.user.email)).toEqual([{ id: user.user.id }]);
    expect(await usersWithEmail(t, newEmail)).toEqual([]);
    await expect(linkTokensOf(t, user.user.id)).resolves.toEqual([]);
  };

  it('answers 5 wrong guesses with 400, each recorded as email_change_failed; the 6th is 429 even with the right password', async () => {
    const user = await registerUser(t);
    const newEmail = newUser().email;

    for (let i = 1; i <= 5; i += 1) {
      const response = await changeEmail(t, user.accessToken, newEmail, `wrong guess ${i}`);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'currentPassword', message: 'currentPassword is incorrect' }]);
    }
    const recorded = await events(t, { userId: user.user.id, type: 'email_change_failed' });
    expect(recorded).toHaveLength(5);
    expect(recorded.every((row) => row.session_id === sessionIdOf(user.accessToken))).toBe(true);

    const limited = await changeEmail(t, user.accessToken, newEmail, user.password);

    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    await expectUnchanged(user, newEmail);
    await expect(events(t, { userId: user.user.id, type: 'email_change_failed' })).resolves.toHaveLength(5);
  });

  it('counts wrong current passwords given to the password change: one limit for every route that asks', async () => {
    const user = await registerUser(t);
    const newEmail = newUser().email;
    for (let i = 0; i < 3; i += 1) await changePassword(t, user.accessToken, `wrong ${i}`, 'a brand new passphrase').expect(400);
    for (let i = 0; i < 2; i += 1) await changeEmail(t, user.accessToken, newEmail, `wrong ${i}`).expect(400);

    expectProblem(await changeEmail(t, user.accessToken, newEmail, user.password), 429, 'rate_limited');
    // The limit holds on the password change too, and nothing moved on either route.
    expectProblem(await changePassword(t, user.accessToken, user.password, 'a brand new passphrase'), 429, 'rate_limited');
    await expectUnchanged(user, newEmail);
    await expect(events(t, { userId: user.user.id, type: 'password_changed' })).resolves.toEqual([]);
  });
});
