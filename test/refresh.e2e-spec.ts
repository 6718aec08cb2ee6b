import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { claimsOf, INVALID_TOKEN_CHALLENGE, login, makeAdmin, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { nowSeconds } from './factories/jwt.factory.js';
import { refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { epochSeconds, events, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { expectGraceReplay, REFRESH_TTL, TOKEN_RESPONSE_KEYS } from './setup/token-expectations.js';

const AUTH = '/api/v1/auth';

describe('POST /auth/refresh', () => {
  const t = useTestApp();

  it('rotates: a new pair, generation 0 → 1, jti <sid>.1, a refresh event', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);

    const before = nowSeconds();
    const response = await refreshWith(t, user.refreshToken, 'refresher/3');
    const after = nowSeconds();

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual(TOKEN_RESPONSE_KEYS);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(response.body.refreshToken).not.toBe(user.refreshToken);
    expect(response.body.accessToken).not.toBe(user.accessToken);
    const refreshed = claimsOf(response.body.refreshToken);
    expect(refreshed).toMatchObject({ sub: user.user.id, sid, jti: `${sid}.1` });
    expect(claimsOf(response.body.accessToken)).toMatchObject({ sub: user.user.id, sid });
    expect(refreshCookieOf(response)?.value).toBe(response.body.refreshToken);

    const session = await sessionRow(t, sid);
    expect(session).toMatchObject({ generation: 1, revoked_at: null, user_agent: 'refresher/3' });
    expect({ iat: refreshed.iat, exp: refreshed.exp }).toEqual({ iat: epochSeconds(session.rotated_at), exp: epochSeconds(session.expires_at) });
    expect(epochSeconds(session.expires_at) - epochSeconds(session.rotated_at)).toBe(REFRESH_TTL);
    expect(response.body.refreshExpiresIn).toBeGreaterThanOrEqual(epochSeconds(session.expires_at) - after);
    expect(response.body.refreshExpiresIn).toBeLessThanOrEqual(epochSeconds(session.expires_at) - before);
    await expect(events(t, { sessionId: sid, type: 'refresh' })).resolves.toHaveLength(1);
    await tokenInfo(t, response.body.accessToken).expect(200);
  });

  it('answers the previous token within the grace window with the same current refresh token, without forking', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    const { rotated: first, replayed: replay } = await expectGraceReplay(t, t, user.refreshToken);

    expect(refreshCookieOf(replay)?.value).toBe(first.body.refreshToken);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1, revoked_at: null });

    // One chain: the shared current token rotates on as usual.
    const next = await refreshWith(t, first.body.refreshToken).expect(200);
    expect(claimsOf(next.body.refreshToken).jti).toBe(`${sid}.2`);
  });

  it('gives two concurrent refreshes with the same token the same refresh token', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);

    const [a, b] = await Promise.all([refreshWith(t, user.refreshToken), refreshWith(t, user.refreshToken)]);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refreshToken).toBe(b.body.refreshToken);
    expect(claimsOf(a.body.refreshToken).jti).toBe(`${sid}.1`);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1, revoked_at: null });
  });

  it('continues the chain to a third generation', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    const seen = new Set([user.refreshToken]);

    let current = user.refreshToken;
    for (const generation of [1, 2, 3]) {
      const response = await refreshWith(t, current).expect(200);
      current = response.body.refreshToken;
      expect(claimsOf(current).jti).toBe(`${sid}.${generation}`);
      expect(seen.has(current)).toBe(false);
      seen.add(current);
      await tokenInfo(t, response.body.accessToken).expect(200);
    }

    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 3, revoked_at: null });
    // AUTH_EVENTS_REFRESH=changes: only the first refresh came from a new user agent.
    await expect(events(t, { sessionId: sid, type: 'refresh' })).resolves.toHaveLength(1);
  });

  it('treats a token older than the immediate parent as reuse: 401 refresh_token_reused and the whole session revoked', async () => {
    const user = await registerUser(t);
    const otherDevice = await login(t, user.user.email, user.password, 'other-device');
    const sid = sessionIdOf(user.accessToken);
    const second = await refreshWith(t, user.refreshToken).expect(200);
    const third = await refreshWith(t, second.body.refreshToken).expect(200);

    const reused = await refreshWith(t, user.refreshToken);

    expectProblem(reused, 401, 'refresh_token_reused');
    const session = await sessionRow(t, sid);
    expect(session.revoked_at).toBeInstanceOf(Date);
    expect(session.revoke_reason).toBe('refresh_token_reused');
    await expect(events(t, { sessionId: sid, type: 'refresh_token_reused' })).resolves.toHaveLength(1);

    // The legitimate holder's current tokens stop working too.
    expectProblem(await refreshWith(t, third.body.refreshToken), 401, 'session_revoked');
    const access = await tokenInfo(t, third.body.accessToken);
    expectProblem(access, 401, 'session_revoked');
    expect(access.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);

    // Other sessions of the user are not touched.
    await tokenInfo(t, otherDevice.accessToken).expect(200);
    await refreshWith(t, otherDevice.refreshToken).expect(200);
  });

  it('answers 401 token_missing without a refresh token', async () => {
    for (const body of [{}, { refreshToken: '' }]) {
      const response = await request(t.server).post(`${AUTH}/refresh`).send(body);
      expectProblem(response, 401, 'token_missing');
    }
  });

  it('answers 401 token_invalid for a malformed refresh token', async () => {
    expectProblem(await refreshWith(t, 'not.a.jwt'), 401, 'token_invalid');
  });

  it('answers 400 for an unknown property in the refresh body, without rotating', async () => {
    const user = await registerUser(t);
    const response = await request(t.server)
      .post(`${AUTH}/refresh`)
      .send({ refreshToken: user.refreshToken, deviceId: 'x' });

    expectProblem(response, 400, 'validation_failed');
    await expect(sessionRow(t, sessionIdOf(user.accessToken))).resolves.toMatchObject({ generation: 0 });
  });

  it('puts the user’s current roles into the refreshed access token', async () => {
    const user = await registerUser(t);
    await makeAdmin(t, user.user.id);

    const response = await refreshWith(t, user.refreshToken).expect(200);

    expect(claimsOf(response.body.accessToken).roles).toEqual(['user', 'admin']);
    await expect(tokenInfo(t, response.body.accessToken)).resolves.toMatchObject({
      status: 200,
      body: expect.objectContaining({ roles: ['user', 'admin'] }),
    });
  });
});
