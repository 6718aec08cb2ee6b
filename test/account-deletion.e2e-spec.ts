import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { changeEmail, changePassword, deleteMe } from './factories/account.factory.js';
import {
  bearer,
  login,
  refreshWith,
  refusedWithin,
  registerUser,
  sessionIdOf,
  signInAsAdmin,
  tokenInfo,
  type SignedIn,
} from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { BOOT_TIMEOUT_MS, createTestApp, useTestApp } from './setup/create-test-app.js';
import { events, sessionsOfUser, usersWithEmail } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

describe('account deletion (DELETE /users/me, DELETE /users/:id)', () => {
  const t = useTestApp();
  let admin: SignedIn;

  beforeAll(async () => {
    admin = await signInAsAdmin(t);
  }, BOOT_TIMEOUT_MS);

  const rowsOf = async (userId: string) => {
    const [{ users, sessions }] = await t.db.query<{ users: number; sessions: number }>(
      `SELECT (SELECT count(*)::int FROM users WHERE id = $1) AS users,
              (SELECT count(*)::int FROM sessions WHERE user_id = $1) AS sessions`,
      [userId],
    );
    return { users, sessions };
  };

  const eventsOf = (userId: string) =>
    t.db.query<{ type: string; ip: string | null; user_agent: string | null; actor_id: string | null }>(
      'SELECT type, ip, user_agent, actor_id FROM auth_events WHERE user_id = $1 ORDER BY id',
      [userId],
    );

  /** A user with two sessions (two devices) and a few events carrying an IP and a user agent. */
  const userWithHistory = async (): Promise<SignedIn & { second: SignedIn }> => {
    const user = await registerUser(t);
    const second = { ...user, ...(await login(t, user.user.email, user.password, 'second-device')) };
    await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: `${user.password}-wrong` }).expect(401);
    await refreshWith(t, second.refreshToken, 'refreshing-device').expect(200);
    return { ...user, second };
  };

  /** Everything the contract promises after a deletion, whoever made it. */
  const expectGone = async (user: SignedIn & { second: SignedIn }, actorId: string | null) => {
    expect(await rowsOf(user.user.id)).toEqual({ users: 0, sessions: 0 });
    for (const token of [user.accessToken, user.second.accessToken]) {
      expectProblem(await refusedWithin(t, token, 1000), 401, 'session_revoked');
    }
    expectProblem(await refreshWith(t, user.refreshToken), 401, 'session_revoked');
    expectProblem(
      await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: user.password }),
      401,
      'invalid_credentials',
    );
    // The security log stays, stripped of personal data, and ends with who deleted the account.
    const events = await eventsOf(user.user.id);
    expect(events.map((event) => event.type)).toEqual([
      'login',
      'login',
      'login_failed',
      'refresh',
      'session_revoked',
      'session_revoked',
      'account_deleted',
    ]);
    for (const event of events) expect(event).toMatchObject({ ip: null, user_agent: null });
    for (const event of events.slice(-3)) expect(event.actor_id).toBe(actorId);
    // The email is free again: a new account, a new id.
    const again = await request(t.server)
      .post('/api/v1/auth/register')
      .send(newUser({ email: user.user.email.toUpperCase() }))
      .expect(201);
    expect(again.body.user.id).not.toBe(user.user.id);
    expect(again.body.user.email).toBe(user.user.email);
  };

  describe('DELETE /users/me', () => {
    it('with the right password deletes the account and its sessions, keeps its events without personal data', async () => {
      const user = await userWithHistory();
      const before = await eventsOf(user.user.id);
      expect(before.some((event) => event.ip !== null && event.user_agent !== null)).toBe(true);

      await deleteMe(t, user.accessToken, { currentPassword: user.password }).expect(204);

      await expectGone(user, null);
    });

    it('with a wrong password is 400 with a field error on currentPassword, recorded, and changes nothing else', async () => {
      const user = await userWithHistory();
      const before = await eventsOf(user.user.id);

      const response = await deleteMe(t, user.accessToken, { currentPassword: `${user.password}-wrong` });

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'currentPassword', message: 'currentPassword is incorrect' }]);
      expect(await rowsOf(user.user.id)).toEqual({ users: 1, sessions: 2 });
      expect(await eventsOf(user.user.id)).toEqual([...before, expect.objectContaining({ type: 'account_deletion_failed', actor_id: null })]);
      expect((await tokenInfo(t, user.accessToken)).status).toBe(200);
      await refreshWith(t, user.refreshToken).expect(200);
    });

    it.each([
      ['no body', undefined, 'currentPassword'],
      ['a missing password', {}, 'currentPassword'],
      ['a password that is not a string', { currentPassword: 12345678 }, 'currentPassword'],
      ['an unknown field', { currentPassword: 'whatever-it-is', reason: 'bye' }, 'reason'],
    ])('refuses %s with 400 and keeps the account', async (_case, body, field) => {
      const user = await registerUser(t);

      const response = await request(t.server).delete('/api/v1/users/me').set(bearer(user.accessToken)).send(body);

      expectProblem(response, 400, 'validation_failed');
      if (body !== undefined) expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await rowsOf(user.user.id)).toEqual({ users: 1, sessions: 1 });
    });

    it('needs an access token', async () => {
      expectProblem(await request(t.server).delete('/api/v1/users/me').send({ currentPassword: 'x' }), 401, 'token_missing');
    });
  });

  describe('DELETE /users/:id (admin)', () => {
    it('deletes any account without its password, and names the admin in account_deleted', async () => {
      const user = await userWithHistory();

      await request(t.server).delete(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken)).expect(204);

      await expectGone(user, admin.user.id);
    });

    it('is 404 for an account deleted already', async () => {
      const user = await registerUser(t);
      await request(t.server).delete(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken)).expect(204);

      const response = await request(t.server).delete(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken));

      expectProblem(response, 404, 'not_found');
      expect((await eventsOf(user.user.id)).filter((event) => event.type === 'account_deleted')).toHaveLength(1);
    });

    it('lets an admin delete another admin while an active admin remains', async () => {
      const other = await signInAsAdmin(t);

      await request(t.server).delete(`/api/v1/users/${other.user.id}`).set(bearer(admin.accessToken)).expect(204);

      expect(await rowsOf(other.user.id)).toEqual({ users: 0, sessions: 0 });
      expectProblem(await refusedWithin(t, other.accessToken, 1000), 401, 'session_revoked');
    });
  });

  // Last in the file: booting a second app hands it the process-wide Passport strategies.
  describe('an instance that starts after the deletion', () => {
    it('refuses the deleted account’s access tokens from its start-up resync', async () => {
      const user = await registerUser(t);
      await request(t.server).delete(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken)).expect(204);

      // The broadcast went out before this instance listened: only the resync can tell it.
      const later = await createTestApp({ db: t.db });
      try {
        expectProblem(await tokenInfo(later, user.accessToken), 401, 'session_revoked');
        expect((await tokenInfo(later, admin.accessToken)).status).toBe(200);
      } finally {
        await later.close();
      }
    }, 2 * BOOT_TIMEOUT_MS);
  });
});

describe('wrong current passwords on DELETE /users/me, limited per user (API.md: 429 after 5 failures in 15 minutes)', () => {
  const t = useTestApp({ env: { THROTTLE_ENABLED: 'true' } });

  /** The account is still there, signed in, with every session live. */
  const expectKept = async (user: SignedIn) => {
    expect(await usersWithEmail(t, user.user.email)).toEqual([{ id: user.user.id }]);
    expect((await sessionsOfUser(t, user.user.id)).map((session) => session.revoked_at)).toEqual([null]);
    expect((await tokenInfo(t, user.accessToken)).status).toBe(200);
    await expect(events(t, { userId: user.user.id, type: 'account_deleted' })).resolves.toEqual([]);
  };

  it('answers 5 wrong guesses with 400, each recorded as account_deletion_failed; the 6th is 429 even with the right password', async () => {
    const user = await registerUser(t);

    for (let i = 1; i <= 5; i += 1) {
      const response = await deleteMe(t, user.accessToken, { currentPassword: `wrong guess ${i}` });
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'currentPassword', message: 'currentPassword is incorrect' }]);
    }
    const recorded = await events(t, { userId: user.user.id, type: 'account_deletion_failed' });
    expect(recorded).toHaveLength(5);
    expect(recorded.every((row) => row.session_id === sessionIdOf(user.accessToken))).toBe(true);

    const limited = await deleteMe(t, user.accessToken, { currentPassword: user.password });

    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    await expectKept(user);
    await expect(events(t, { userId: user.user.id, type: 'account_deletion_failed' })).resolves.toHaveLength(5);
  });

  it('counts wrong current passwords given to the email and password changes: one limit for every route that asks', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 2; i += 1) await changePassword(t, user.accessToken, `wrong ${i}`, 'a brand new passphrase').expect(400);
    for (let i = 0; i < 2; i += 1) await changeEmail(t, user.accessToken, newUser().email, `wrong ${i}`).expect(400);
    await deleteMe(t, user.accessToken, { currentPassword: 'wrong again' }).expect(400);

    expectProblem(await deleteMe(t, user.accessToken, { currentPassword: user.password }), 429, 'rate_limited');
    await expectKept(user);
  });
});
