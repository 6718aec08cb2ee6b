import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { LinkTokensCleanupService } from '../src/account/link-tokens-cleanup.service.js';
import {
  forgotPassword,
  linkTokensOf,
  resetPassword,
  resetTokenFor,
} from './factories/account.factory.js';
import { bearer, login, refreshWith, refusedWithin, registerUser } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { useSmtpApp } from './setup/create-test-app.js';
import { events } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { linkOf } from './setup/smtp.js';
import { sleep } from './setup/wait.js';

const APP_URL = 'https://app.example.test';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(send: () => Promise<request.Response>): Promise<number> {
  const startedAt = process.hrtime.bigint();
  await send();
  return Number(process.hrtime.bigint() - startedAt) / 1e6;
}

describe('Password reset (forgot → mailed link → reset)', () => {
  const { t, smtp } = useSmtpApp({ env: { APP_URL, MAIL_FROM: 'Auth <auth@example.test>' } });

  it('mails a link to APP_URL/reset-password; the reset sets the password and signs out every session', async () => {
    const user = await registerUser(t);
    const phone = await login(t, user.user.email, user.password, 'phone/1');

    expect((await forgotPassword(t, `  ${user.user.email.toUpperCase()} `)).status).toBe(202);
    const mail = await smtp.waitForMail(user.user.email, { subject: /reset your password/i });
    expect(mail.from).toBe('auth@example.test');
    const link = linkOf(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP_URL}/reset-password`);
    const token = link.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const [row] = await linkTokensOf(t, user.user.id, 'password_reset');
    expect(row).toMatchObject({ kind: 'password_reset', used_at: null, voided_at: null, new_email: null });
    // Only the hash is stored.
    expect(row.token_hash).not.toContain(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const response = await resetPassword(t, token, 'a brand new passphrase');
    expect(response.status).toBe(204);
    expect(response.text).toBe('');

    await login(t, user.user.email, 'a brand new passphrase');
    expectProblem(
      await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: user.password }),
      401,
      'invalid_credentials',
    );
    for (const signedIn of [user, phone]) {
      expectProblem(await refreshWith(t, signedIn.refreshToken), 401, 'session_revoked');
      // Revocation reaches access tokens within the contract's second.
      expectProblem(await refusedWithin(t, signedIn.accessToken, 1000), 401, 'session_revoked');
    }

    const sessions = await t.db.query<{ revoke_reason: string | null }>(
      `SELECT revoke_reason FROM sessions WHERE user_id = $1 AND created_at < (SELECT used_at FROM link_tokens WHERE user_id = $1 AND kind = 'password_reset')`,
      [user.user.id],
    );
    expect(sessions.map((session) => session.revoke_reason)).toEqual(['password_reset', 'password_reset']);
    expect((await linkTokensOf(t, user.user.id, 'password_reset'))[0].used_at).toBeInstanceOf(Date);
    await expect(events(t, { userId: user.user.id, type: 'password_reset_requested' })).resolves.toHaveLength(1);
    await expect(events(t, { userId: user.user.id, type: 'password_reset' })).resolves.toHaveLength(1);
  });

  it('answers an unknown email exactly as a known one, mails nothing and stores nothing', async () => {
    const user = await registerUser(t);
    const stranger = newUser().email;

    const known = await forgotPassword(t, user.user.email);
    const unknown = await forgotPassword(t, stranger);

    expect(unknown.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body, text: unknown.text }).toEqual({
      status: known.status,
      body: known.body,
      text: known.text,
    });
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    expect(unknown.headers['content-length']).toBe(known.headers['content-length']);
    await smtp.waitForMail(user.user.email, { subject: /reset your password/i });
    expect(smtp.mailsTo(stranger)).toEqual([]);
    await expect(t.db.query(`SELECT 1 FROM link_tokens l JOIN users u ON u.id = l.user_id WHERE u.email = $1`, [stranger])).resolves.toEqual(
      [],
    );
  });

  it('takes about the same time for unknown and known emails (the lookup happens after the answer)', async () => {
    const user = await registerUser(t);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      known.push(await timed(() => forgotPassword(t, user.user.email)));
      unknown.push(await timed(() => forgotPassword(t, newUser().email)));
    }
    // A fair margin: a synchronous lookup plus link insert would not fit a shared CI machine's noise.
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(100);
  });

  it('refuses a used link with link_invalid and leaves the password alone', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);

    expect((await resetPassword(t, token, 'first new passphrase')).status).toBe(204);
    expectProblem(await resetPassword(t, token, 'second new passphrase'), 400, 'link_invalid');

    await login(t, user.user.email, 'first new passphrase');
    await expect(events(t, { userId: user.user.id, type: 'password_reset' })).resolves.toHaveLength(1);
  });

  it('lets a newer link supersede the older one', async () => {
    const user = await registerUser(t);
    const older = await resetTokenFor(t, smtp, user.user.email);
    const newer = await resetTokenFor(t, smtp, user.user.email);

    expectProblem(await resetPassword(t, older, 'from the older link'), 400, 'link_invalid');
    expect((await resetPassword(t, newer, 'from the newer link')).status).toBe(204);

    const rows = await linkTokensOf(t, user.user.id, 'password_reset');
    expect(rows.map((row) => [row.used_at !== null, row.voided_at !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
    await login(t, user.user.email, 'from the newer link');
  });

  it('lets exactly one of two concurrent resets with the same link succeed', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);

    const [first, second] = await Promise.all([
      resetPassword(t, token, 'racer number one'),
      resetPassword(t, token, 'racer number two'),
    ]);

    expect([first.status, second.status].sort()).toEqual([204, 400]);
    const loser = first.status === 400 ? first : second;
    expectProblem(loser, 400, 'link_invalid');
    const winner = first.status === 204 ? 'racer number one' : 'racer number two';
    await login(t, user.user.email, winner);
    const rows = await linkTokensOf(t, user.user.id, 'password_reset');
    expect(rows.filter((row) => row.used_at !== null)).toHaveLength(1);
    await expect(events(t, { userId: user.user.id, type: 'password_reset' })).resolves.toHaveLength(1);
  });

  it('voids outstanding reset links when the password is changed', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);

    await request(t.server)
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: user.password, newPassword: 'changed while the link was out' })
      .expect(204);

    expectProblem(await resetPassword(t, token, 'too late for this link'), 400, 'link_invalid');
    const [row] = await linkTokensOf(t, user.user.id, 'password_reset');
    expect(row).toMatchObject({ used_at: null, voided_at: expect.any(Date) });
    await login(t, user.user.email, 'changed while the link was out');
  });

  it('refuses a tampered token with link_invalid', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

    expectProblem(await resetPassword(t, tampered, 'a brand new passphrase'), 400, 'link_invalid');
    expectProblem(await resetPassword(t, 'not-a-token-at-all', 'a brand new passphrase'), 400, 'link_invalid');
    expect((await linkTokensOf(t, user.user.id, 'password_reset'))[0].used_at).toBeNull();
  });

  it('validates bodies without spending the link: weak password, malformed token, unknown fields', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);
    const reset = (body: Record<string, unknown>) => request(t.server).post('/api/v1/auth/password/reset').send(body);

    const weak = await reset({ token, newPassword: 'password' });
    expectProblem(weak, 400, 'validation_failed');
    expect(weak.body.errors).toEqual([{ field: 'newPassword', message: expect.stringContaining('too common') }]);
    expectProblem(await reset({ token, newPassword: 'x'.repeat(129) }), 400, 'validation_failed');
    expectProblem(await reset({ token: 42, newPassword: 'a brand new passphrase' }), 400, 'validation_failed');
    expectProblem(await reset({ token: '', newPassword: 'a brand new passphrase' }), 400, 'validation_failed');
    expectProblem(await reset({ token: 'a'.repeat(129), newPassword: 'a brand new passphrase' }), 400, 'validation_failed');
    expectProblem(await reset({ token: `${token.slice(0, -1)}=`, newPassword: 'a brand new passphrase' }), 400, 'validation_failed');
    expectProblem(await reset({ token, newPassword: 'a brand new passphrase', userId: user.user.id }), 400, 'validation_failed');
    expectProblem(await reset({ newPassword: 'a brand new passphrase' }), 400, 'validation_failed');

    const forgot = (body: Record<string, unknown>) => request(t.server).post('/api/v1/auth/password/forgot').send(body);
    expectProblem(await forgot({ email: 'not an email' }), 400, 'validation_failed');
    expectProblem(await forgot({ email: user.user.email, admin: true }), 400, 'validation_failed');
    expectProblem(await forgot({}), 400, 'validation_failed');

    expect((await linkTokensOf(t, user.user.id, 'password_reset')).map((row) => row.used_at)).toEqual([null]);
    expect((await resetPassword(t, token, 'a brand new passphrase')).status).toBe(204);
  });
});

describe('Dead links are deleted after a week', () => {
  const { t, smtp } = useSmtpApp({ env: { AUTH_EMAIL_VERIFICATION: 'off' } });

  it('deletes links spent more than a week ago and keeps live ones', async () => {
    const user = await registerUser(t);
    expect((await resetPassword(t, await resetTokenFor(t, smtp, user.user.email), 'a brand new passphrase')).status).toBe(204);
    await t.db.query(`UPDATE link_tokens SET used_at = now() - interval '8 days' WHERE user_id = $1`, [user.user.id]);
    await resetTokenFor(t, smtp, user.user.email);

    await expect(t.app.get(LinkTokensCleanupService).deleteStale()).resolves.toBeGreaterThanOrEqual(1);
    const rows = await linkTokensOf(t, user.user.id);
    expect(rows.map((row) => row.used_at)).toEqual([null]);
  });
});

describe('Password reset link expiry (PASSWORD_RESET_TTL=1s)', () => {
  const { t, smtp } = useSmtpApp({ env: { PASSWORD_RESET_TTL: '1s', AUTH_EMAIL_VERIFICATION: 'off' } });

  it('refuses an expired link with link_invalid and keeps the old password', async () => {
    const user = await registerUser(t);
    const token = await resetTokenFor(t, smtp, user.user.email);
    const [row] = await linkTokensOf(t, user.user.id, 'password_reset');
    await sleep(Math.max(0, row.expires_at.getTime() - Date.now()) + 200);

    expectProblem(await resetPassword(t, token, 'a brand new passphrase'), 400, 'link_invalid');
    expect((await linkTokensOf(t, user.user.id, 'password_reset'))[0].used_at).toBeNull();
    await login(t, user.user.email, user.password);
  });
});
