import { expect } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../setup/create-test-app.js';
import { tokenOf, type TestSmtpServer } from '../setup/smtp.js';
import { bearer } from './auth.factory.js';

const AUTH = '/api/v1/auth';

export interface LinkRow {
  kind: string;
  token_hash: string;
  new_email: string | null;
  expires_at: Date;
  used_at: Date | null;
  voided_at: Date | null;
  created_at: Date;
}

/** The account's link_tokens rows (of one kind, when given), oldest first. */
export const linkTokensOf = (t: TestApp, userId: string, kind?: string) =>
  t.db.query<LinkRow>(
    `SELECT kind, token_hash, new_email, expires_at, used_at, voided_at, created_at
       FROM link_tokens WHERE user_id = $1 AND kind = coalesce($2, kind) ORDER BY created_at, id`,
    [userId, kind ?? null],
  );

export const forgotPassword = (t: Pick<TestApp, 'server'>, email: string) =>
  request(t.server).post(`${AUTH}/password/forgot`).send({ email });

export const resetPassword = (t: Pick<TestApp, 'server'>, token: string, newPassword: string) =>
  request(t.server).post(`${AUTH}/password/reset`).send({ token, newPassword });

export const verifyEmail = (t: Pick<TestApp, 'server'>, token: string) =>
  request(t.server).post(`${AUTH}/email/verify`).send({ token });

export const resendVerification = (t: Pick<TestApp, 'server'>, accessToken: string) =>
  request(t.server).post(`${AUTH}/email/verification`).set(bearer(accessToken));

export const changeEmail = (t: Pick<TestApp, 'server'>, accessToken: string, newEmail: string, currentPassword: string) =>
  request(t.server).post('/api/v1/users/me/email').set(bearer(accessToken)).send({ newEmail, currentPassword });

export const changePassword = (t: Pick<TestApp, 'server'>, accessToken: string, currentPassword: string, newPassword: string) =>
  request(t.server).post('/api/v1/users/me/password').set(bearer(accessToken)).send({ currentPassword, newPassword });

export const deleteMe = (t: Pick<TestApp, 'server'>, accessToken: string, body: object) =>
  request(t.server).delete('/api/v1/users/me').set(bearer(accessToken)).send(body);

/** Asks for a reset link and returns the token of the mail that arrives. */
export async function resetTokenFor(t: TestApp, smtp: TestSmtpServer, email: string): Promise<string> {
  expect((await forgotPassword(t, email)).status).toBe(202);
  return tokenOf(await smtp.waitForMail(email, { subject: /reset your password/i }));
}

/** The token of the next verification (or email-change confirmation) mail to `email`. */
export async function verificationTokenFor(smtp: TestSmtpServer, email: string): Promise<string> {
  return tokenOf(await smtp.waitForMail(email, { subject: /confirm your (new )?email address/i }));
}
