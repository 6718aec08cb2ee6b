import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, claimsOf, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { epochSeconds, eventCount, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { sleepUntil, startOfNextSecond } from './setup/wait.js';

describe('session lifetimes (REFRESH_TOKEN_TTL=2s)', () => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TTL: '2s' } });

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
  const t = useTestApp({ env: { SESSION_MAX_AGE: '3s', REFRESH_TOKEN_TTL: '1h' } });

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
  const t = useTestApp({ env: { SESSIONS_MAX_PER_USER: '2' } });

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
