import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, login, registerUser, tokenInfo } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

/**
 * API.md "Operations": nothing half-made stays behind. Each test makes the second write of a
 * flow fail with a trigger on this suite's own database (never in the shipped schema), checks
 * that the first write was undone, removes the trigger and checks that a retry succeeds.
 */
describe('multi-write flows commit together or not at all', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  }, 60_000);

  /** Makes `event` on `table` fail for rows matching `condition` (NEW.*), until the returned function runs. */
  async function failWrites(table: string, event: 'INSERT' | 'UPDATE', condition: string) {
    const name = `fail_${table}_${event.toLowerCase()}`;
    await t.db.query(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${condition} THEN RAISE EXCEPTION 'write refused by the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`);
    return () => t.db.query(`DROP TRIGGER ${name} ON ${table}; DROP FUNCTION ${name}();`);
  }

  const countFor = async (sql: string, params: unknown[]) => (await t.db.query<{ n: number }>(sql, params))[0].n;

  it('registration: no account without its first session, and the retry succeeds', async () => {
    const account = newUser({ email: `no-session-${Date.now()}@example.com` });
    const restore = await failWrites('sessions', 'INSERT', `(SELECT email FROM users WHERE id = NEW.user_id) = '${account.email}'`);

    const failed = await request(t.server).post('/api/v1/auth/register').send(account);
    expectProblem(failed, 500, 'internal_error');
    expect(JSON.stringify(failed.body)).not.toMatch(/refused by the test|INSERT|sessions/);
    expect(await countFor(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [account.email])).toBe(0);

    await restore();
    const retried = await request(t.server).post('/api/v1/auth/register').send(account).expect(201);
    expect(await countFor(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [retried.body.user.id])).toBe(1);
    expect(await countFor(`SELECT count(*)::int AS n FROM auth_events WHERE user_id = $1 AND type = 'login'`, [retried.body.user.id])).toBe(1);
  }, 30_000);

  it('password change: the new password does not stay when the other sessions cannot be revoked', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.user.email, user.password);
    const restore = await failWrites('sessions', 'UPDATE', `NEW.user_id = '${user.user.id}' AND NEW.revoked_at IS NOT NULL`);
    const change = { currentPassword: user.password, newPassword: 'a brand new passphrase' };

    expectProblem(await request(t.server).post('/api/v1/users/me/password').set(bearer(user.accessToken)).send(change), 500, 'internal_error');
    await login(t, user.user.email, user.password); // the old password still works
    await tokenInfo(t, other.accessToken).expect(200);
    expect(await countFor(`SELECT count(*)::int AS n FROM auth_events WHERE user_id = $1 AND type = 'password_changed'`, [user.user.id])).toBe(0);

    await restore();
    await request(t.server).post('/api/v1/users/me/password').set(bearer(user.accessToken)).send(change).expect(204);
    expectProblem(await tokenInfo(t, other.accessToken), 401, 'session_revoked');
    await login(t, user.user.email, change.newPassword);
  }, 30_000);

  it('logout-all: sessions are not revoked without their logout_all event', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.user.email, user.password);
    const restore = await failWrites('auth_events', 'INSERT', `NEW.type = 'logout_all' AND NEW.user_id = '${user.user.id}'`);

    expectProblem(await request(t.server).post('/api/v1/auth/logout-all').set(bearer(user.accessToken)).send({}), 500, 'internal_error');
    await tokenInfo(t, other.accessToken).expect(200);
    const active = `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`;
    expect(await countFor(active, [user.user.id])).toBe(2);

    await restore();
    const done = await request(t.server).post('/api/v1/auth/logout-all').set(bearer(user.accessToken)).send({}).expect(200);
    expect(done.body).toEqual({ revoked: 2 });
    expectProblem(await tokenInfo(t, other.accessToken), 401, 'session_revoked');
    expect(await countFor(`SELECT count(*)::int AS n FROM auth_events WHERE user_id = $1 AND type = 'logout_all'`, [user.user.id])).toBe(1);
  }, 30_000);
});
