import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { eventCount, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

describe('session endpoints', () => {
  const t = useTestApp();

  const listSessions = (accessToken: string) => request(t.server).get('/api/v1/auth/sessions').set(bearer(accessToken));
  const deleteSession = (accessToken: string, id: string) =>
    request(t.server).delete(`/api/v1/auth/sessions/${id}`).set(bearer(accessToken));

  it('GET /auth/sessions lists the active sessions, most recently used first, exactly one marked current', async () => {
    const user = await registerUser(t);
    const a = await login(t, user.user.email, user.password, 'device-a/1.0');
    const b = await login(t, user.user.email, user.password, 'device-b/2.0');
    await deleteSession(b.accessToken, sessionIdOf(user.accessToken)).expect(204);

    const response = await listSessions(a.accessToken).expect(200);

    expect(response.body).toHaveLength(2);
    for (const session of response.body) {
      expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent']);
      expect(Date.parse(session.createdAt)).not.toBeNaN();
      expect(Date.parse(session.lastUsedAt)).not.toBeNaN();
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
      expect(session.ip).toMatch(/127\.0\.0\.1|::1/);
    }
    expect(response.body.map((session: { id: string; userAgent: string }) => [session.id, session.userAgent])).toEqual([
      [sessionIdOf(b.accessToken), 'device-b/2.0'],
      [sessionIdOf(a.accessToken), 'device-a/1.0'],
    ]);
    expect(response.body.filter((session: { current: boolean }) => session.current)).toEqual([
      expect.objectContaining({ id: sessionIdOf(a.accessToken), current: true }),
    ]);
    const fromB = await listSessions(b.accessToken).expect(200);
    expect(fromB.body.find((session: { current: boolean }) => session.current).id).toBe(sessionIdOf(b.accessToken));
  });

  it('DELETE /auth/sessions/:id revokes that session: its refresh and access tokens stop working', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.user.email, user.password, 'other');
    const target = sessionIdOf(other.accessToken);
    await tokenInfo(t, other.accessToken).expect(200);

    await deleteSession(user.accessToken, target).expect(204);

    expectProblem(await tokenInfo(t, other.accessToken), 401, 'session_revoked');
    expectProblem(await refreshWith(t, other.refreshToken), 401, 'session_revoked');
    expect((await sessionRow(t, target)).revoke_reason).toBe('revoked');
    expect(await eventCount(t, target, 'session_revoked')).toBe(1);
    await tokenInfo(t, user.accessToken).expect(200);
    const listed = await listSessions(user.accessToken).expect(200);
    expect(listed.body.map((session: { id: string }) => session.id)).toEqual([sessionIdOf(user.accessToken)]);

    // Already revoked: no longer an active session of the caller.
    expectProblem(await deleteSession(user.accessToken, target), 404, 'not_found');
  });

  it('DELETE /auth/sessions/:id answers 404 for another user’s session and an unknown uuid, 400 for a non-uuid', async () => {
    const alice = await registerUser(t);
    const mallory = await registerUser(t);
    const aliceSession = sessionIdOf(alice.accessToken);

    expectProblem(await deleteSession(mallory.accessToken, aliceSession), 404, 'not_found');
    expectProblem(await deleteSession(mallory.accessToken, randomUUID()), 404, 'not_found');
    expectProblem(await deleteSession(mallory.accessToken, 'not-a-uuid'), 400, 'validation_failed');

    const row = await sessionRow(t, aliceSession);
    expect(row.revoked_at).toBeNull();
    expect(await eventCount(t, aliceSession, 'session_revoked')).toBe(0);
    await tokenInfo(t, alice.accessToken).expect(200);
    await refreshWith(t, alice.refreshToken).expect(200);
  });

  it('POST /auth/logout-all revokes every session of the user, the caller’s included', async () => {
    const user = await registerUser(t);
    const b = await login(t, user.user.email, user.password, 'b');
    const c = await login(t, user.user.email, user.password, 'c');
    const bystander = await registerUser(t);

    const response = await request(t.server).post('/api/v1/auth/logout-all').set(bearer(b.accessToken)).send({});

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 3 });
    const rows = await t.db.query<{ revoke_reason: string | null }>(
      `SELECT revoke_reason FROM sessions WHERE user_id = $1`,
      [user.user.id],
    );
    expect(rows).toEqual(Array(3).fill({ revoke_reason: 'logout_all' }));
    for (const tokens of [user, b, c]) {
      expectProblem(await tokenInfo(t, tokens.accessToken), 401, 'session_revoked');
      expectProblem(await refreshWith(t, tokens.refreshToken), 401, 'session_revoked');
    }
    const events = await t.db.query(`SELECT session_id FROM auth_events WHERE user_id = $1 AND type = 'logout_all'`, [user.user.id]);
    expect(events).toEqual([{ session_id: sessionIdOf(b.accessToken) }]);
    await tokenInfo(t, bystander.accessToken).expect(200);
  });

  it('POST /auth/logout-all without a body behaves like an empty body', async () => {
    const user = await registerUser(t);

    const response = await request(t.server).post('/api/v1/auth/logout-all').set(bearer(user.accessToken));

    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { revoked: 1 } });
    expectProblem(await tokenInfo(t, user.accessToken), 401, 'session_revoked');
  });

  it('POST /auth/logout-all with keepCurrent keeps the caller’s session working', async () => {
    const user = await registerUser(t);
    const b = await login(t, user.user.email, user.password, 'b');
    const c = await login(t, user.user.email, user.password, 'c');

    const response = await request(t.server)
      .post('/api/v1/auth/logout-all')
      .set(bearer(b.accessToken))
      .send({ keepCurrent: true });

    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { revoked: 2 } });
    await tokenInfo(t, b.accessToken).expect(200);
    expect((await sessionRow(t, sessionIdOf(b.accessToken))).revoked_at).toBeNull();
    await refreshWith(t, b.refreshToken).expect(200);
    for (const tokens of [user, c]) {
      expectProblem(await tokenInfo(t, tokens.accessToken), 401, 'session_revoked');
      expectProblem(await refreshWith(t, tokens.refreshToken), 401, 'session_revoked');
    }
  });

  it('POST /users/me/password revokes every other session, keeps the current one and swaps the password', async () => {
    const user = await registerUser(t);
    const current = await login(t, user.user.email, user.password, 'current');
    const other = await login(t, user.user.email, user.password, 'other');
    const newPassword = `changed-${randomUUID()}`;

    await request(t.server)
      .post('/api/v1/users/me/password')
      .set(bearer(current.accessToken))
      .send({ currentPassword: user.password, newPassword })
      .expect(204);

    for (const tokens of [user, other]) {
      expectProblem(await tokenInfo(t, tokens.accessToken), 401, 'session_revoked');
      expectProblem(await refreshWith(t, tokens.refreshToken), 401, 'session_revoked');
      expect((await sessionRow(t, sessionIdOf(tokens.accessToken))).revoke_reason).toBe('password_changed');
    }
    await tokenInfo(t, current.accessToken).expect(200);
    await refreshWith(t, current.refreshToken).expect(200);
    expect(await eventCount(t, sessionIdOf(current.accessToken), 'password_changed')).toBe(1);

    const oldLogin = await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: user.password });
    expectProblem(oldLogin, 401, 'invalid_credentials');
    await login(t, user.user.email, newPassword);
  });

  it('POST /users/me/password with a wrong current password is 400 and revokes nothing', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.user.email, user.password, 'other');

    const response = await request(t.server)
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: `${user.password}-wrong`, newPassword: `changed-${randomUUID()}` });

    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    const revoked = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`, [user.user.id]);
    expect(revoked).toEqual([]);
    await tokenInfo(t, other.accessToken).expect(200);
    const changed = await t.db.query(`SELECT id FROM auth_events WHERE user_id = $1 AND type = 'password_changed'`, [user.user.id]);
    expect(changed).toEqual([]);
    await login(t, user.user.email, user.password);
  });
});
