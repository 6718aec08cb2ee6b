import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { claimsOf, login, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { USER_BY_EMAIL_SQL } from '../src/users/users.repository.js';
import { events, indexesUsedBy, sessionsOfUser } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { expectFreshRefreshLifetime, LOOPBACK, TOKEN_RESPONSE_KEYS } from './setup/token-expectations.js';

const AUTH = '/api/v1/auth';

describe('POST /auth/login', () => {
  const t = useTestApp();

  it('finds the account through an index on lower(email), so a login costs the same at a million users', async () => {
    const indexes = await indexesUsedBy(t, USER_BY_EMAIL_SQL, ['someone@example.com']);

    expect(indexes).toHaveLength(1);
    expect(['users_email_lower_key', 'users_email_lower_pattern_idx']).toContain(indexes[0]);
  });

  it('answers 200 with a token pair for the right password, whatever the case of the email', async () => {
    const user = await registerUser(t);
    const response = await request(t.server)
      .post(`${AUTH}/login`)
      .send({ email: `  ${user.user.email.toUpperCase()} `, password: user.password });

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual(TOKEN_RESPONSE_KEYS);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expectFreshRefreshLifetime(response.body.refreshExpiresIn);
    expect(claimsOf(response.body.accessToken).sub).toBe(user.user.id);
    expect(refreshCookieOf(response)?.value).toBe(response.body.refreshToken);
    await tokenInfo(t, response.body.accessToken).expect(200);
  });

  it('answers an unknown email and a wrong password with the same 401 invalid_credentials, and records login_failed', async () => {
    const user = await registerUser(t);
    const wrongPassword = await request(t.server)
      .post(`${AUTH}/login`)
      .set('user-agent', 'guesser/1')
      .send({ email: user.user.email, password: `${user.password}-wrong` });
    const unknownEmail = await request(t.server)
      .post(`${AUTH}/login`)
      .set('user-agent', 'guesser/1')
      .send({ email: newUser().email, password: user.password });

    expectProblem(wrongPassword, 401, 'invalid_credentials');
    expectProblem(unknownEmail, 401, 'invalid_credentials');
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(unknownEmail.headers['content-type']).toBe(wrongPassword.headers['content-type']);
    expect(unknownEmail.headers['www-authenticate']).toBe(wrongPassword.headers['www-authenticate']);
    expect(refreshCookieOf(wrongPassword)).toBeUndefined();

    const failures = await events(t, { userId: user.user.id, type: 'login_failed' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ session_id: null, user_agent: 'guesser/1' });
    expect(failures[0].ip).toMatch(LOOPBACK);
    await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);
  });

  it('opens a separate session per login, with its user agent and ip', async () => {
    const user = await registerUser(t);
    const phone = await login(t, user.user.email, user.password, 'phone/1.0');
    const laptop = await login(t, user.user.email, user.password, 'laptop/2.0');

    const sessions = await sessionsOfUser(t, user.user.id);
    expect(sessions).toHaveLength(3);
    expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
    expect(sessions.find((session) => session.id === sessionIdOf(phone.accessToken))).toMatchObject({
      user_agent: 'phone/1.0',
      generation: 0,
      revoked_at: null,
    });
    expect(sessions.find((session) => session.id === sessionIdOf(laptop.accessToken))).toMatchObject({
      user_agent: 'laptop/2.0',
      generation: 0,
      revoked_at: null,
    });
    for (const session of sessions) expect(session.ip).toMatch(LOOPBACK);
    expect(sessionIdOf(phone.refreshToken)).toBe(sessionIdOf(phone.accessToken));
    await expect(events(t, { userId: user.user.id, type: 'login' })).resolves.toHaveLength(3);
  });

  it('answers 400 for an unknown property in the login body', async () => {
    const user = await registerUser(t);
    const response = await request(t.server)
      .post(`${AUTH}/login`)
      .send({ email: user.user.email, password: user.password, rememberMe: true });

    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([{ field: 'rememberMe', message: expect.any(String) }]);
    await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);
  });
});

describe('with rate limiting (3 login attempts per minute per IP and email)', () => {
  const t = useTestApp({ env: { THROTTLE_ENABLED: 'true', THROTTLE_LOGIN_LIMIT: '3', THROTTLE_LOGIN_TTL: '60s' } });

  const attempt = (email: string, password: string) => request(t.server).post(`${AUTH}/login`).send({ email, password });

  it('answers the 4th attempt for the same email with 429 rate_limited and Retry-After; another email still signs in', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);

    for (let i = 0; i < 3; i += 1) {
      expectProblem(await attempt(user.user.email, `wrong-${i}-password`), 401, 'invalid_credentials');
    }
    const limited = await attempt(user.user.email, user.password);

    expectProblem(limited, 429, 'rate_limited');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body).not.toHaveProperty('accessToken');
    await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);

    const allowed = await attempt(other.user.email, other.password);
    expect(allowed.status).toBe(200);
  });

  it('counts case and whitespace variants of an email as the same account', async () => {
    const user = await registerUser(t);
    const variants = [user.user.email.toUpperCase(), ` ${user.user.email} `, user.user.email];

    for (const email of variants) await attempt(email, user.password).expect(200);

    expectProblem(await attempt(user.user.email.toUpperCase(), user.password), 429, 'rate_limited');
  });
});
