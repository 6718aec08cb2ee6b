import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, INVALID_TOKEN_CHALLENGE, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { eventCount, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { sleep, sleepUntil, startOfNextSecond } from './setup/wait.js';

describe('reuse detection (REFRESH_REUSE_GRACE=1s)', () => {
  const t = useTestApp({ env: { REFRESH_REUSE_GRACE: '1s' } });

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
    expect(access.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
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
    const user = await registerUser(t);
    const sid = sessionIdOf(user.refreshToken);
    const generation1 = await refreshWith(t, user.refreshToken).expect(200);
    const generation2 = await refreshWith(t, generation1.body.refreshToken).expect(200);

    // The parent's 200 is the proof that this runs inside the window: no wall-clock margin needed.
    const parent = await refreshWith(t, generation1.body.refreshToken);
    expect(parent.status).toBe(200);
    expect(parent.body.refreshToken).toBe(generation2.body.refreshToken);

    const grandparent = await refreshWith(t, user.refreshToken);
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

    expect(Date.now() - rotatedAt).toBeLessThan(1000); // the configured window
    expect({ status: replayed.status, code: replayed.body.code }).toEqual({ status: 200, code: undefined });
    expect(replayed.body.refreshToken).toBe(rotated.body.refreshToken);
  });
});

describe('with REFRESH_REUSE_GRACE=0', () => {
  const t = useTestApp({ env: { REFRESH_REUSE_GRACE: '0' } });

  it('treats the immediate parent as reuse and revokes the session', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    const rotated = await refreshWith(t, user.refreshToken).expect(200);

    expectProblem(await refreshWith(t, user.refreshToken), 401, 'refresh_token_reused');

    await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoke_reason: 'refresh_token_reused', generation: 1 });
    expectProblem(await refreshWith(t, rotated.body.refreshToken), 401, 'session_revoked');
    expectProblem(await tokenInfo(t, rotated.body.accessToken), 401, 'session_revoked');
  });
});
