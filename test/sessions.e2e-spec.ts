import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import request, { type Response } from 'supertest';
import { SecurityEvent } from '../src/sessions/security-events.js';
import { SessionsCleanupService } from '../src/sessions/sessions-cleanup.service.js';
import { bearer, claimsOf, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

interface SessionRow {
  id: string;
  generation: number;
  revoked_at: Date | null;
  revoke_reason: string | null;
  expires_at: Date;
  absolute_expires_at: Date;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sleepUntil = (epochMs: number) => sleep(Math.max(0, epochMs - Date.now()));
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Sessions keep their times in whole seconds, truncated down (they are the refresh token's
 * iat/exp). Tests of second-long lifetimes start just after a second boundary, so "1.2 s later"
 * means the same to the test as to the database. Returns that boundary (epoch ms).
 */
async function startOfNextSecond(): Promise<number> {
  const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await sleepUntil(boundary + 10);
  return boundary;
}

function expectProblem(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
}

async function sessionRow(t: TestApp, sessionId: string): Promise<SessionRow> {
  const rows = await t.db.query<SessionRow>(
    `SELECT id, generation, revoked_at, revoke_reason, expires_at, absolute_expires_at FROM sessions WHERE id = $1`,
    [sessionId],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

async function eventCount(t: TestApp, sessionId: string, type: string): Promise<number> {
  const rows = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM auth_events WHERE session_id = $1 AND type = $2`,
    [sessionId, type],
  );
  return rows[0].n;
}

describe('refresh-token rotation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('10 parallel refreshes with one token all get the same new refresh token, and the session rotates once', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);

    const responses = await Promise.all(Array.from({ length: 10 }, () => refreshWith(t, user.refreshToken)));

    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const refreshTokens = new Set(responses.map((response) => response.body.refreshToken as string));
    expect(refreshTokens.size).toBe(1);
    const [next] = refreshTokens;
    expect(next).not.toBe(user.refreshToken);
    expect(claimsOf(next).jti).toBe(`${sid}.1`);
    for (const response of responses) expect(response.headers['cache-control']).toBe('no-store');
    const accessStatuses = await Promise.all(responses.map(async (response) => (await tokenInfo(t, response.body.accessToken)).status));
    expect(accessStatuses).toEqual(Array(10).fill(200));

    const sessions = await t.db.query(`SELECT id, generation, revoked_at FROM sessions WHERE user_id = $1`, [user.user.id]);
    expect(sessions).toEqual([{ id: sid, generation: 1, revoked_at: null }]);
    expect(await eventCount(t, sid, 'refresh')).toBe(1);

    // One live chain: the shared token is the current one.
    const again = await refreshWith(t, next);
    expect(again.status).toBe(200);
    expect(claimsOf(again.body.refreshToken).jti).toBe(`${sid}.2`);
    expect((await sessionRow(t, sid)).generation).toBe(2);
  });

  it('replays the current refresh token to the immediate parent inside the grace window, without rotating again', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const rotated = await refreshWith(t, user.refreshToken).expect(200);

    const replayed = await refreshWith(t, user.refreshToken);

    expect(replayed.status).toBe(200);
    expect(replayed.body.refreshToken).toBe(rotated.body.refreshToken);
    expect(replayed.body.accessToken).not.toBe(rotated.body.accessToken);
    await tokenInfo(t, replayed.body.accessToken).expect(200);
    expect((await sessionRow(t, sid)).generation).toBe(1);
    expect(await eventCount(t, sid, 'refresh')).toBe(1);
  });

  it('a refresh whose transaction fails answers 500 without SQL and does not burn the token', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    // The rotation statement also inserts the `refresh` event: make that insert fail server-side.
    // NOT VALID: earlier tests' refresh events stay; only new rows are checked.
    await t.db.query(`ALTER TABLE auth_events ADD CONSTRAINT no_refresh CHECK (type <> 'refresh') NOT VALID`);
    let failed: Response;
    try {
      failed = await refreshWith(t, user.refreshToken);
    } finally {
      await t.db.query(`ALTER TABLE auth_events DROP CONSTRAINT IF EXISTS no_refresh`);
    }

    expectProblem(failed, 500, 'internal_error');
    expect(failed.body).toMatchObject({ status: 500, instance: '/api/v1/auth/refresh' });
    expect(JSON.stringify(failed.body)).not.toMatch(/no_refresh|constraint|violat|auth_events|sessions|insert|update|select/i);
    const row = await sessionRow(t, sid);
    expect({ generation: row.generation, revoked_at: row.revoked_at }).toEqual({ generation: 0, revoked_at: null });
    expect(await eventCount(t, sid, 'refresh')).toBe(0);

    const retried = await refreshWith(t, user.refreshToken);
    expect(retried.status).toBe(200);
    expect(claimsOf(retried.body.refreshToken).jti).toBe(`${sid}.1`);
    expect((await sessionRow(t, sid)).generation).toBe(1);
  });
});

describe('reuse detection (REFRESH_REUSE_GRACE=1s)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '1s' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the parent token after the window revokes the whole session and is recorded as a security event', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const otherDevice = await login(t, user.user.email, user.password, 'other-device');
    const rotated = await refreshWith(t, user.refreshToken).expect(200);
    await tokenInfo(t, rotated.body.accessToken).expect(200);
    await sleep(1300);

    expectProblem(await refreshWith(t, user.refreshToken), 401, 'refresh_token_reused');

    // The legitimate holder's newest tokens die with the session.
    expectProblem(await refreshWith(t, rotated.body.refreshToken), 401, 'session_revoked');
    const access = await tokenInfo(t, rotated.body.accessToken);
    expectProblem(access, 401, 'session_revoked');
    expect(access.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const row = await sessionRow(t, sid);
    expect(row.revoked_at).toBeInstanceOf(Date);
    expect(row.revoke_reason).toBe('refresh_token_reused');
    expect(await eventCount(t, sid, 'refresh_token_reused')).toBe(1);

    // Only that session: the user's other device still works and sees the event.
    const events = await request(t.server).get('/api/v1/auth/events').set(bearer(otherDevice.accessToken)).expect(200);
    expect(events.body.items).toContainEqual(expect.objectContaining({ type: 'refresh_token_reused', sessionId: sid }));
    expect(events.body.items[0]).toMatchObject({ type: 'refresh_token_reused', sessionId: sid });
  });

  it('inside the window the immediate parent is replayed, but generation n-2 is reuse', async () => {
    const second = await startOfNextSecond();
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const generation1 = await refreshWith(t, user.refreshToken).expect(200);
    const generation2 = await refreshWith(t, generation1.body.refreshToken).expect(200);

    const parent = await refreshWith(t, generation1.body.refreshToken);
    expect(parent.status).toBe(200);
    expect(parent.body.refreshToken).toBe(generation2.body.refreshToken);

    const grandparent = await refreshWith(t, user.refreshToken);
    expect(Date.now() - second).toBeLessThan(1000); // all of it inside the 1 s window
    expectProblem(grandparent, 401, 'refresh_token_reused');
    const row = await sessionRow(t, sid);
    expect({ generation: row.generation, reason: row.revoke_reason }).toEqual({ generation: 2, reason: 'refresh_token_reused' });
    expectProblem(await refreshWith(t, generation2.body.refreshToken), 401, 'session_revoked');
    expectProblem(await tokenInfo(t, generation2.body.accessToken), 401, 'session_revoked');
  });

  it('measures the window from the rotation itself, not from the start of the second it happened in', async () => {
    const second = await startOfNextSecond();
    const user = await registerUser(t);
    await sleepUntil(second + 850);
    const rotated = await refreshWith(t, user.refreshToken).expect(200);
    const rotatedAt = Date.now();
    await sleepUntil(second + 1150);

    // About 0.3 s after the rotation: well inside a 1 s window (API.md: "within the grace window succeeds").
    const replayed = await refreshWith(t, user.refreshToken);

    expect(Date.now() - rotatedAt).toBeLessThan(900);
    expect({ status: replayed.status, code: replayed.body.code }).toEqual({ status: 200, code: undefined });
    expect(replayed.body.refreshToken).toBe(rotated.body.refreshToken);
  });
});

describe('reuse detection (REFRESH_REUSE_GRACE=0)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '0' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('treats even the immediate parent as reuse', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const rotated = await refreshWith(t, user.refreshToken).expect(200);

    expectProblem(await refreshWith(t, user.refreshToken), 401, 'refresh_token_reused');

    expect((await sessionRow(t, sid)).revoke_reason).toBe('refresh_token_reused');
    expectProblem(await refreshWith(t, rotated.body.refreshToken), 401, 'session_revoked');
    expectProblem(await tokenInfo(t, rotated.body.accessToken), 401, 'session_revoked');
  });
});

describe('session endpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

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

  it('GET /auth/events pages the caller’s own events, newest first', async () => {
    const user = await registerUser(t);
    const firstSession = sessionIdOf(user.accessToken);
    await refreshWith(t, user.refreshToken, 'refresher').expect(200);
    const second = await login(t, user.user.email, user.password, 'events-ua');
    const stranger = await registerUser(t);
    await refreshWith(t, stranger.refreshToken).expect(200);
    const strangerSession = sessionIdOf(stranger.accessToken);

    const page1 = await request(t.server).get('/api/v1/auth/events?page=1&pageSize=2').set(bearer(second.accessToken)).expect(200);

    expect(Object.keys(page1.body).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
    expect(page1.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(page1.body.items).toHaveLength(2);
    for (const item of page1.body.items) {
      expect(Object.keys(item).sort()).toEqual(['at', 'ip', 'sessionId', 'type', 'userAgent']);
    }
    expect(page1.body.items[0]).toMatchObject({ type: 'login', sessionId: sessionIdOf(second.accessToken), userAgent: 'events-ua' });
    expect(page1.body.items[1]).toMatchObject({ type: 'refresh', sessionId: firstSession, userAgent: 'refresher' });
    expect(Date.parse(page1.body.items[0].at)).toBeGreaterThanOrEqual(Date.parse(page1.body.items[1].at));

    const page2 = await request(t.server).get('/api/v1/auth/events?page=2&pageSize=2').set(bearer(second.accessToken)).expect(200);
    expect(page2.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.body.items).toEqual([expect.objectContaining({ type: 'login', sessionId: firstSession })]);
    const mine = [...page1.body.items, ...page2.body.items].map((item: { sessionId: string }) => item.sessionId);
    expect(mine).not.toContain(strangerSession);

    const theirs = await request(t.server).get('/api/v1/auth/events').set(bearer(stranger.accessToken)).expect(200);
    expect(theirs.body).toMatchObject({ total: 2, page: 1, pageSize: 20 });
    expect(theirs.body.items.map((item: { sessionId: string }) => item.sessionId)).toEqual([strangerSession, strangerSession]);
  });

  it('GET /auth/events refuses pageSize 101 with 400 and accepts 100', async () => {
    const user = await registerUser(t);

    expectProblem(await request(t.server).get('/api/v1/auth/events?pageSize=101').set(bearer(user.accessToken)), 400, 'validation_failed');
    expectProblem(await request(t.server).get('/api/v1/auth/events?page=0').set(bearer(user.accessToken)), 400, 'validation_failed');
    await request(t.server).get('/api/v1/auth/events?pageSize=100').set(bearer(user.accessToken)).expect(200);
  });

  it('the clean-up job deletes sessions ended more than a week ago and old events, and keeps recent ones', async () => {
    const user = await registerUser(t);
    const ids = [sessionIdOf(user.accessToken)];
    for (const agent of ['b', 'c', 'd', 'e']) ids.push(sessionIdOf((await login(t, user.user.email, user.password, agent)).accessToken));
    const [expiredLongAgo, revokedLongAgo, expiredRecently, revokedRecently, active] = ids;
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '8 days' WHERE id = $1`, [expiredLongAgo]);
    await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '8 days', revoke_reason = 'logout' WHERE id = $1`, [revokedLongAgo]);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 day' WHERE id = $1`, [expiredRecently]);
    await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '1 day', revoke_reason = 'logout' WHERE id = $1`, [revokedRecently]);
    await t.db.query(`UPDATE auth_events SET created_at = now() - interval '91 days' WHERE session_id = $1`, [expiredLongAgo]);

    const deleted = await t.app.get(SessionsCleanupService).deleteStale();

    expect(deleted.sessions).toBeGreaterThanOrEqual(2);
    expect(deleted.events).toBeGreaterThanOrEqual(1);
    const remaining = await t.db.query<{ id: string }>(`SELECT id FROM sessions WHERE user_id = $1`, [user.user.id]);
    expect(remaining.map((row) => row.id).sort()).toEqual([expiredRecently, revokedRecently, active].sort());
    expect(await eventCount(t, expiredLongAgo, 'login')).toBe(0);
    expect(await eventCount(t, revokedLongAgo, 'login')).toBe(1);
    await tokenInfo(t, (await login(t, user.user.email, user.password)).accessToken).expect(200);
  });

  it('publishes security events in-process: a listener added through EventEmitter2 receives auth.login', async () => {
    const emitter = t.app.get(EventEmitter2);
    const received: unknown[] = [];
    const listener = (event: unknown) => received.push(event);
    emitter.on('auth.login', listener);
    let user: Awaited<ReturnType<typeof registerUser>>;
    let tokens: Awaited<ReturnType<typeof login>>;
    try {
      user = await registerUser(t);
      tokens = await login(t, user.user.email, user.password, 'listener-ua');
    } finally {
      emitter.off('auth.login', listener);
    }

    const mine = received.filter((event) => (event as SecurityEvent).userId === user.user.id);
    expect(mine).toHaveLength(2);
    expect(mine[1]).toBeInstanceOf(SecurityEvent);
    expect(mine[1]).toMatchObject({
      type: 'login',
      userId: user.user.id,
      sessionId: sessionIdOf(tokens.accessToken),
      userAgent: 'listener-ua',
    });
    expect((mine[1] as SecurityEvent).at).toBeInstanceOf(Date);
  });
});

describe('session lifetimes (REFRESH_TOKEN_TTL=2s)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_TOKEN_TTL: '2s' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a refresh token idle past its lifetime is refused', async () => {
    const second = await startOfNextSecond();
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    expect(user.refreshExpiresIn).toBeLessThanOrEqual(2);
    const row = await sessionRow(t, sid);
    // The access token never outlives its session.
    expect(claimsOf(user.accessToken).exp).toBeLessThanOrEqual(epochSeconds(row.expires_at));
    expect(user.expiresIn).toBeLessThanOrEqual(2);

    await sleepUntil(second + 2200);
    const response = await refreshWith(t, user.refreshToken);

    expect(response.status).toBe(401);
    expect(['token_invalid', 'session_revoked']).toContain(response.body.code);
    expect((await sessionRow(t, sid)).generation).toBe(0);
  });

  it('each rotation renews the idle expiry', async () => {
    const second = await startOfNextSecond();
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    const loginExpiry = (await sessionRow(t, sid)).expires_at;

    await sleepUntil(second + 1200);
    const first = await refreshWith(t, user.refreshToken);
    expect(first.status).toBe(200);
    const renewed = await sessionRow(t, sid);
    expect(renewed.expires_at.getTime()).toBeGreaterThan(loginExpiry.getTime());
    expect(claimsOf(first.body.refreshToken).exp).toBe(epochSeconds(renewed.expires_at));
    expect(claimsOf(first.body.accessToken).exp).toBeLessThanOrEqual(epochSeconds(renewed.expires_at));

    // Past the login's expiry, inside the renewed one.
    await sleepUntil(second + 2400);
    expect(Date.now()).toBeGreaterThan(loginExpiry.getTime());
    const secondRefresh = await refreshWith(t, first.body.refreshToken);
    expect(secondRefresh.status).toBe(200);
    expect((await sessionRow(t, sid)).generation).toBe(2);
  });
});

describe('session lifetimes (SESSION_MAX_AGE=3s, REFRESH_TOKEN_TTL=1h)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SESSION_MAX_AGE: '3s', REFRESH_TOKEN_TTL: '1h' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('never issues a refresh or access token past the absolute lifetime, and ends the session there', async () => {
    const second = await startOfNextSecond();
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    const row = await sessionRow(t, sid);
    const absolute = epochSeconds(row.absolute_expires_at);
    expect(user.refreshExpiresIn).toBeLessThanOrEqual(3);
    expect(claimsOf(user.refreshToken).exp).toBeLessThanOrEqual(absolute);
    expect(claimsOf(user.accessToken).exp).toBeLessThanOrEqual(epochSeconds(row.expires_at));
    expect(epochSeconds(row.expires_at)).toBeLessThanOrEqual(absolute);

    await sleepUntil(second + 1200);
    const rotated = await refreshWith(t, user.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshExpiresIn).toBeLessThanOrEqual(3);
    expect(claimsOf(rotated.body.refreshToken).exp).toBeLessThanOrEqual(absolute);
    const renewed = await sessionRow(t, sid);
    expect(epochSeconds(renewed.expires_at)).toBeLessThanOrEqual(absolute);
    expect(claimsOf(rotated.body.accessToken).exp).toBeLessThanOrEqual(epochSeconds(renewed.expires_at));

    await sleepUntil(second + 3200);
    const late = await refreshWith(t, rotated.body.refreshToken);
    expect(late.status).toBe(401);
    expect(['token_invalid', 'session_revoked']).toContain(late.body.code);
  });
});

describe('SESSIONS_MAX_PER_USER=2', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SESSIONS_MAX_PER_USER: '2' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a third login revokes the least recently used session; the two newest stay active', async () => {
    const user = await registerUser(t);
    const second = await login(t, user.user.email, user.password, 'second');
    const third = await login(t, user.user.email, user.password, 'third');
    const evicted = sessionIdOf(user.accessToken);

    const evictedRow = await sessionRow(t, evicted);
    expect(evictedRow.revoke_reason).toBe('session_limit');
    expect(await eventCount(t, evicted, 'session_revoked')).toBe(1);
    expectProblem(await tokenInfo(t, user.accessToken), 401, 'session_revoked');
    expectProblem(await refreshWith(t, user.refreshToken), 401, 'session_revoked');
    const listed = await request(t.server).get('/api/v1/auth/sessions').set(bearer(third.accessToken)).expect(200);
    expect(listed.body.map((session: { id: string }) => session.id)).toEqual([sessionIdOf(third.accessToken), sessionIdOf(second.accessToken)]);
    await tokenInfo(t, second.accessToken).expect(200);
    await tokenInfo(t, third.accessToken).expect(200);
  });

  it('“used” counts refreshes: the oldest login survives when it was refreshed most recently', async () => {
    const user = await registerUser(t);
    const second = await login(t, user.user.email, user.password, 'second');
    const refreshed = await refreshWith(t, user.refreshToken).expect(200);

    await login(t, user.user.email, user.password, 'third');

    expect((await sessionRow(t, sessionIdOf(second.accessToken))).revoke_reason).toBe('session_limit');
    expectProblem(await tokenInfo(t, second.accessToken), 401, 'session_revoked');
    expect((await sessionRow(t, sessionIdOf(user.accessToken))).revoked_at).toBeNull();
    await tokenInfo(t, refreshed.body.accessToken).expect(200);
  });
});
