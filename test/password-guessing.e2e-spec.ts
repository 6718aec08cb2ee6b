import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, registerUser, sessionIdOf, type SignedIn } from './factories/auth.factory.js';
import { useTestApp, useTestApps, type TestApp } from './setup/create-test-app.js';
import { events } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { describeWithRedis, TEST_REDIS_URL } from './setup/redis.js';

const NEW_PASSWORD = 'a brand new passphrase';

/** POST /users/me/password: a guess of the current password with a (stolen) access token. */
const changePassword = (t: TestApp, user: SignedIn, currentPassword: string, newPassword = NEW_PASSWORD) =>
  request(t.server)
    .post('/api/v1/users/me/password')
    .set(bearer(user.accessToken))
    .set('user-agent', 'guesser')
    .send({ currentPassword, newPassword });

const passwordHash = async (t: TestApp, userId: string) =>
  (await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]))[0].password_hash;

describe('wrong current passwords, limited per user (API.md: 429 after 5 failures in 15 minutes)', () => {
  const t = useTestApp({ env: { THROTTLE_ENABLED: 'true' } });

  it('answers 5 wrong guesses with 400, each recorded as password_change_failed; the 6th is 429 even with the right password', async () => {
    const user = await registerUser(t);
    const hashBefore = await passwordHash(t, user.user.id);

    for (let i = 1; i <= 5; i += 1) {
      const response = await changePassword(t, user, `wrong guess ${i}`);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'currentPassword', message: expect.any(String) }]);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    const recorded = await events(t, { userId: user.user.id, type: 'password_change_failed' });
    expect(recorded).toHaveLength(5);
    expect(recorded.every((row) => row.session_id === sessionIdOf(user.accessToken) && row.user_agent === 'guesser')).toBe(true);

    const limited = await changePassword(t, user, user.password);
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Nothing was checked, changed or recorded once limited.
    expect(await passwordHash(t, user.user.id)).toBe(hashBefore);
    expect(await events(t, { userId: user.user.id, type: 'password_change_failed' })).toHaveLength(5);
    expect(await events(t, { userId: user.user.id, type: 'password_changed' })).toHaveLength(0);
  });

  it('counts guesses sent in parallel: of 12 at once, at most 5 reach the password check', async () => {
    const user = await registerUser(t);

    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => changePassword(t, user, `parallel guess ${i}`)));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 400)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(await events(t, { userId: user.user.id, type: 'password_change_failed' })).toHaveLength(5);
  });

  it('limits per user: another user with the same client still changes their password', async () => {
    const guessed = await registerUser(t);
    for (let i = 0; i < 5; i += 1) await changePassword(t, guessed, `wrong ${i}`).expect(400);
    await changePassword(t, guessed, 'wrong again').expect(429);

    const other = await registerUser(t);
    await changePassword(t, other, other.password).expect(204);
  });

  it('lets the owner change the password after fewer than 5 failures, and the change starts a fresh count', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 4; i += 1) await changePassword(t, user, `typo ${i}`).expect(400);
    await changePassword(t, user, user.password).expect(204);

    // The new password's count starts at zero: 5 more wrong ones before the limit.
    for (let i = 0; i < 5; i += 1) await changePassword(t, user, `typo again ${i}`, 'yet another passphrase').expect(400);
    await changePassword(t, user, NEW_PASSWORD, 'yet another passphrase').expect(429);
  });
});

describe('with THROTTLE_ENABLED=false', () => {
  const t = useTestApp({ env: { THROTTLE_ENABLED: 'false' } });

  it('never answers 429, still records every wrong guess, and the right password works after 8 failures', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 8; i += 1) await changePassword(t, user, `wrong ${i}`).expect(400);

    await changePassword(t, user, user.password).expect(204);
    expect(await events(t, { userId: user.user.id, type: 'password_change_failed' })).toHaveLength(8);
  });
});

await describeWithRedis('the password-guess limit shared by two instances through Redis (REDIS_URL)', () => {
  const [a, b] = useTestApps(2, { env: { THROTTLE_ENABLED: 'true', REDIS_URL: TEST_REDIS_URL } });

  it('counts failures on A and B together: the 6th guess, on either, is 429', async () => {
    const user = await registerUser(a);
    for (let i = 0; i < 5; i += 1) await changePassword(i % 2 === 0 ? a : b, user, `wrong ${i}`).expect(400);

    expectProblem(await changePassword(a, user, user.password), 429, 'rate_limited');
    expectProblem(await changePassword(b, user, user.password), 429, 'rate_limited');
    expect(await events(a, { userId: user.user.id, type: 'password_change_failed' })).toHaveLength(5);
  });
});
