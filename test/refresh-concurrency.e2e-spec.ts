import { describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { claimsOf, logoutWith, refreshWith, refusedWithin, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { useTestApp, useTestApps } from './setup/create-test-app.js';
import { eventCount, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { expectGraceReplay, expectOneRotation } from './setup/token-expectations.js';

describe('refresh-token rotation', () => {
  const t = useTestApp();

  it('10 parallel refreshes with one token all get the same new refresh token, and the session rotates once', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);

    const responses = await Promise.all(Array.from({ length: 10 }, () => refreshWith(t, user.refreshToken)));

    const next = await expectOneRotation(t, responses, user.user.id);
    expect(next).not.toBe(user.refreshToken);
    for (const response of responses) expect(response.headers['cache-control']).toBe('no-store');
    const accessStatuses = await Promise.all(responses.map(async (response) => (await tokenInfo(t, response.body.accessToken)).status));
    expect(accessStatuses).toEqual(Array(10).fill(200));

    // One live chain: the shared token is the current one.
    const again = await refreshWith(t, next);
    expect(again.status).toBe(200);
    expect(claimsOf(again.body.refreshToken).jti).toBe(`${sid}.2`);
    expect((await sessionRow(t, sid)).generation).toBe(2);
  });

  it('replays the current refresh token to the immediate parent inside the grace window, without rotating again', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const { rotated, replayed } = await expectGraceReplay(t, t, user.refreshToken);

    expect(replayed.body.accessToken).not.toBe(rotated.body.accessToken);
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

describe('with two instances on one database', () => {
  const [a, b] = useTestApps(2);

  it('refuses a logged-out session’s access token on the other instance within 1 second', async () => {
    const user = await registerUser(a);
    await tokenInfo(b, user.accessToken).expect(200);

    await logoutWith(a, user.refreshToken).expect(204);

    // API.md: refused on every instance within 1 second.
    expectProblem(await refusedWithin(b, user.accessToken, 1000), 401, 'session_revoked');
  });

  it('rotates on one instance and replays the same refresh token on the other within the grace window', async () => {
    const user = await registerUser(a);
    const sid = sessionIdOf(user.accessToken);

    const { rotated } = await expectGraceReplay(a, b, user.refreshToken);

    const next = await refreshWith(b, rotated.body.refreshToken).expect(200);
    expect(claimsOf(next.body.refreshToken).jti).toBe(`${sid}.2`);
    await expect(sessionRow(a, sid)).resolves.toMatchObject({ generation: 2, revoked_at: null });
  });
});
