import { describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { SecurityEvent } from '../src/sessions/security-events.js';
import { SessionsCleanupService } from '../src/sessions/sessions-cleanup.service.js';
import { bearer, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { eventCount } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

describe('security events', () => {
  const t = useTestApp();

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
      expect(Object.keys(item).sort()).toEqual(['actorId', 'at', 'ip', 'sessionId', 'type', 'userAgent']);
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

  it('GET /auth/events counts a long history only up to 1000 past the requested page, and pages it newest first', async () => {
    const user = await registerUser(t);
    await t.db.query(
      `INSERT INTO auth_events (user_id, type, ip, created_at)
       SELECT $1, 'login_failed', '198.51.100.' || (i % 250), now() - make_interval(mins => i) FROM generate_series(1, 1100) AS i`,
      [user.user.id],
    );
    const page = (query: string) => request(t.server).get(`/api/v1/auth/events?${query}`).set(bearer(user.accessToken)).expect(200);

    const first = await page('page=1&pageSize=20');
    expect(first.body).toMatchObject({ total: 1020, page: 1, pageSize: 20 });
    expect(first.body.items[0]).toMatchObject({ type: 'login', sessionId: sessionIdOf(user.accessToken) });
    expect(first.body.items[1]).toMatchObject({ type: 'login_failed', ip: '198.51.100.1' });

    const capped = await page('page=1&pageSize=100');
    expect(capped.body.total).toBe(1100);
    const exact = await page('page=3&pageSize=100');
    expect(exact.body.total).toBe(1101);

    const last = await page('page=12&pageSize=100');
    expect(last.body).toMatchObject({ total: 1101, page: 12, pageSize: 100 });
    expect(last.body.items).toEqual([expect.objectContaining({ type: 'login_failed', ip: `198.51.100.${1100 % 250}` })]);
    const beyond = await page('page=13&pageSize=100');
    expect(beyond.body).toEqual({ items: [], total: 1101, page: 13, pageSize: 100 });
  });

  it('GET /auth/events reports the exact total of a short history', async () => {
    const user = await registerUser(t);
    await login(t, user.user.email, user.password);

    const response = await request(t.server).get('/api/v1/auth/events?pageSize=1').set(bearer(user.accessToken)).expect(200);

    expect(response.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(response.body.items).toHaveLength(1);
  });

  it('the clean-up job deletes sessions ended more than a week ago and keeps recent ones and their events', async () => {
    const user = await registerUser(t);
    const ids = [sessionIdOf(user.accessToken)];
    for (const agent of ['b', 'c', 'd', 'e']) ids.push(sessionIdOf((await login(t, user.user.email, user.password, agent)).accessToken));
    const [expiredLongAgo, revokedLongAgo, expiredRecently, revokedRecently, active] = ids;
    await t.db.query(
      `UPDATE sessions SET expires_at = now() - interval '8 days', absolute_expires_at = now() - interval '8 days' WHERE id = $1`,
      [expiredLongAgo],
    );
    await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '8 days', revoke_reason = 'logout' WHERE id = $1`, [revokedLongAgo]);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 day' WHERE id = $1`, [expiredRecently]);
    await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '1 day', revoke_reason = 'logout' WHERE id = $1`, [revokedRecently]);

    const deleted = await t.app.get(SessionsCleanupService).run();

    expect(deleted.sessions).toBeGreaterThanOrEqual(2);
    const remaining = await t.db.query<{ id: string }>(`SELECT id FROM sessions WHERE user_id = $1`, [user.user.id]);
    expect(remaining.map((row) => row.id).sort()).toEqual([expiredRecently, revokedRecently, active].sort());
    // Events outlive their sessions until AUTH_EVENTS_RETENTION (test/cleanup.e2e-spec.ts).
    expect(await eventCount(t, expiredLongAgo, 'login')).toBe(1);
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
