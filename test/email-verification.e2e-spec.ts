import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  linkTokensOf,
  resendVerification,
  verificationTokenFor,
  verifyEmail,
} from './factories/account.factory.js';
import { bearer, claimsOf, login, refreshWith, registerUser, type SignedIn } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { useSmtpApp, useSmtpApps, type TestApp } from './setup/create-test-app.js';
import { events } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { linkOf } from './setup/smtp.js';
import { sleep } from './setup/wait.js';

const APP_URL = 'https://app.example.test';

const verifiedAt = async (t: TestApp, userId: string) =>
  (await t.db.query<{ email_verified_at: Date | null }>(`SELECT email_verified_at FROM users WHERE id = $1`, [userId]))[0]
    .email_verified_at;

describe('Email verification (AUTH_EMAIL_VERIFICATION=optional, the default)', () => {
  const { t, smtp } = useSmtpApp({ env: { APP_URL } });

  it('mails a link at registration; opening it verifies the email, and later tokens say so', async () => {
    const user = await registerUser(t);
    expect(user.user).toMatchObject({ emailVerified: false, disabled: false });
    expect(claimsOf(user.accessToken).email_verified).toBe(false);

    const mail = await smtp.waitForMail(user.user.email, { subject: /confirm your email address/i });
    const link = linkOf(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP_URL}/verify-email`);

    const response = await verifyEmail(t, link.searchParams.get('token')!);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...user.user, emailVerified: true });

    expect(await verifiedAt(t, user.user.id)).toBeInstanceOf(Date);
    const [row] = await linkTokensOf(t, user.user.id, 'email_verification');
    expect(row.used_at).toBeInstanceOf(Date);
    await expect(events(t, { userId: user.user.id, type: 'email_verified' })).resolves.toHaveLength(1);
    await request(t.server).get('/api/v1/users/me').set(bearer(user.accessToken)).expect(200).expect((me) => {
      expect(me.body.emailVerified).toBe(true);
    });
    expect(claimsOf((await login(t, user.user.email, user.password)).accessToken).email_verified).toBe(true);
    // A session opened before verification picks the claim up at its next refresh.
    const refreshed = await refreshWith(t, user.refreshToken);
    expect(claimsOf(refreshed.body.accessToken).email_verified).toBe(true);
  });

  it('refuses a used, tampered or unknown link with link_invalid', async () => {
    const user = await registerUser(t);
    const token = await verificationTokenFor(smtp, user.user.email);

    expect((await verifyEmail(t, token)).status).toBe(200);
    expectProblem(await verifyEmail(t, token), 400, 'link_invalid');
    expectProblem(await verifyEmail(t, `${token.slice(0, -2)}xx`), 400, 'link_invalid');
    expectProblem(await verifyEmail(t, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 400, 'link_invalid');
    await expect(events(t, { userId: user.user.id, type: 'email_verified' })).resolves.toHaveLength(1);
  });

  it('resends a link that supersedes the earlier one', async () => {
    const user = await registerUser(t);
    const first = await verificationTokenFor(smtp, user.user.email);

    expect((await resendVerification(t, user.accessToken)).status).toBe(202);
    const second = await verificationTokenFor(smtp, user.user.email);

    expectProblem(await verifyEmail(t, first), 400, 'link_invalid');
    expect(await verifiedAt(t, user.user.id)).toBeNull();
    expect((await verifyEmail(t, second)).status).toBe(200);
    const rows = await linkTokensOf(t, user.user.id, 'email_verification');
    expect(rows.map((row) => [row.used_at !== null, row.voided_at !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it('answers 202 to a resend for a verified email and sends nothing', async () => {
    const user = await registerUser(t);
    expect((await verifyEmail(t, await verificationTokenFor(smtp, user.user.email))).status).toBe(200);

    const response = await resendVerification(t, user.accessToken);
    expect(response.status).toBe(202);
    expect(response.text).toBe('');
    // The link would be stored before it is mailed: no new row, no mail.
    await expect(linkTokensOf(t, user.user.id, 'email_verification')).resolves.toHaveLength(1);
    await sleep(300);
    expect(smtp.mailsTo(user.user.email)).toHaveLength(1);
  });

  it('needs an access token to resend, and validates the verify body', async () => {
    expectProblem(await request(t.server).post('/api/v1/auth/email/verification'), 401, 'token_missing');
    const user = await registerUser(t);
    const resend = request(t.server).post('/api/v1/auth/email/verification').set(bearer(user.accessToken));
    expectProblem(await resend.set('Content-Type', 'application/json').send('{"oops'), 400, 'validation_failed');
    await expect(linkTokensOf(t, user.user.id, 'email_verification')).resolves.toHaveLength(1);
    const verify = (body: unknown) => request(t.server).post('/api/v1/auth/email/verify').send(body as object);
    expectProblem(await verify({}), 400, 'validation_failed');
    expectProblem(await verify({ token: 12345 }), 400, 'validation_failed');
    expectProblem(await verify({ token: 'a'.repeat(129) }), 400, 'validation_failed');
    expectProblem(await verify({ token: 'not+base64url/' }), 400, 'validation_failed');
    expectProblem(await verify({ token: 'abc', extra: 1 }), 400, 'validation_failed');
  });
});

describe('Email verification required (AUTH_EMAIL_VERIFICATION=required)', () => {
  const { apps: [optional, t], smtp } = useSmtpApps([{ AUTH_EMAIL_VERIFICATION: 'off' }, { AUTH_EMAIL_VERIFICATION: 'required' }]);
  let before: SignedIn;

  beforeAll(async () => {
    // A session opened before the switch to `required` (through the instance with it off), on the same database.
    before = await registerUser(optional);
  });

  it('registers without tokens or a session and mails the link', async () => {
    const input = newUser();
    const response = await request(t.server).post('/api/v1/auth/register').send(input);

    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual(['user']);
    expect(response.body.user).toMatchObject({ email: input.email, emailVerified: false });
    expect(response.headers['set-cookie']).toBeUndefined();
    await expect(t.db.query(`SELECT 1 FROM sessions WHERE user_id = $1`, [response.body.user.id])).resolves.toEqual([]);
    await verificationTokenFor(smtp, input.email);
  });

  it('answers login with 403 email_not_verified only after a correct password, then lets the verified user in', async () => {
    const input = newUser();
    const { body } = await request(t.server).post('/api/v1/auth/register').send(input).expect(201);
    const attempt = (password: string) => request(t.server).post('/api/v1/auth/login').send({ email: input.email, password });

    expectProblem(await attempt(`${input.password}-wrong`), 401, 'invalid_credentials');
    expectProblem(await attempt(input.password), 403, 'email_not_verified');
    await expect(t.db.query(`SELECT 1 FROM sessions WHERE user_id = $1`, [body.user.id])).resolves.toEqual([]);

    expect((await verifyEmail(t, await verificationTokenFor(smtp, input.email))).status).toBe(200);
    const tokens = await login(t, input.email, input.password);
    expect(claimsOf(tokens.accessToken).email_verified).toBe(true);
  });

  it('mails a new link on a refused sign-in once the earlier link stopped working, not before', async () => {
    const input = newUser();
    const { body } = await request(t.server).post('/api/v1/auth/register').send(input).expect(201);
    const first = await verificationTokenFor(smtp, input.email);
    const attempt = () => request(t.server).post('/api/v1/auth/login').send({ email: input.email, password: input.password });

    expectProblem(await attempt(), 403, 'email_not_verified');
    await expect(linkTokensOf(t, body.user.id, 'email_verification')).resolves.toHaveLength(1);

    // As if EMAIL_VERIFICATION_TTL had passed.
    await t.db.query(`UPDATE link_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [body.user.id]);
    expectProblem(await attempt(), 403, 'email_not_verified');
    const second = await verificationTokenFor(smtp, input.email);

    expectProblem(await verifyEmail(t, first), 400, 'link_invalid');
    expect((await verifyEmail(t, second)).status).toBe(200);
    await login(t, input.email, input.password);
  });

  it('refuses a refresh of a session opened before the switch with the same 403, without spending the token', async () => {
    expectProblem(await refreshWith(t, before.refreshToken), 403, 'email_not_verified');
    const [session] = await t.db.query<{ generation: number; revoked_at: Date | null }>(
      `SELECT generation, revoked_at FROM sessions WHERE user_id = $1`,
      [before.user.id],
    );
    expect(session).toEqual({ generation: 0, revoked_at: null });
  });
});

describe('Email verification off (AUTH_EMAIL_VERIFICATION=off)', () => {
  const { t, smtp } = useSmtpApp({ env: { AUTH_EMAIL_VERIFICATION: 'off' } });

  it('mails nothing at registration or on resend, and signs in unverified users', async () => {
    const user = await registerUser(t);
    expect(user.user.emailVerified).toBe(false);
    expect((await resendVerification(t, user.accessToken)).status).toBe(202);
    await login(t, user.user.email, user.password);

    await expect(linkTokensOf(t, user.user.id)).resolves.toEqual([]);
    await sleep(300);
    expect(smtp.mailsTo(user.user.email)).toEqual([]);
  });
});
