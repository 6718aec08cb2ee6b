import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { INVALID_TOKEN_CHALLENGE, login, logoutWith, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { expectClearedCookie } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { events, sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

const AUTH = '/api/v1/auth';

describe('POST /auth/logout', () => {
  const t = useTestApp();

  it('answers 204, revokes the session with reason logout, records a logout event and clears the cookie', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);

    const response = await logoutWith(t, user.refreshToken);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectClearedCookie(response);
    const session = await sessionRow(t, sid);
    expect(session.revoked_at).toBeInstanceOf(Date);
    expect(session.revoke_reason).toBe('logout');
    const logouts = await events(t, { sessionId: sid, type: 'logout' });
    expect(logouts).toEqual([expect.objectContaining({ user_id: user.user.id })]);
  });

  it('refuses the session’s refresh and access tokens afterwards with 401 session_revoked', async () => {
    const user = await registerUser(t);
    await logoutWith(t, user.refreshToken).expect(204);

    expectProblem(await refreshWith(t, user.refreshToken), 401, 'session_revoked');
    const access = await tokenInfo(t, user.accessToken);
    expectProblem(access, 401, 'session_revoked');
    expect(access.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('is idempotent for the same token', async () => {
    const user = await registerUser(t);
    const sid = sessionIdOf(user.accessToken);
    await logoutWith(t, user.refreshToken).expect(204);
    const { revoked_at: revokedAt } = await sessionRow(t, sid);

    const again = await logoutWith(t, user.refreshToken);

    expect(again.status).toBe(204);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoked_at: revokedAt, revoke_reason: 'logout' });
    await expect(events(t, { sessionId: sid, type: 'logout' })).resolves.toHaveLength(1);
  });

  it('answers 401 token_missing without a token and token_invalid for a bad one', async () => {
    expectProblem(await request(t.server).post(`${AUTH}/logout`).send({}), 401, 'token_missing');
    expectProblem(await request(t.server).post(`${AUTH}/logout`), 401, 'token_missing');
    const user = await registerUser(t);
    expectProblem(await logoutWith(t, user.accessToken), 401, 'token_invalid');
    await expect(sessionRow(t, sessionIdOf(user.accessToken))).resolves.toMatchObject({ revoked_at: null });
  });

  it('ends only the presented session', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.user.email, user.password, 'second-device');

    await logoutWith(t, user.refreshToken).expect(204);

    await tokenInfo(t, other.accessToken).expect(200);
    await refreshWith(t, other.refreshToken).expect(200);
    await expect(sessionRow(t, sessionIdOf(other.accessToken))).resolves.toMatchObject({ revoked_at: null, generation: 1 });
  });
});

describe('with ACCESS_TOKEN_REVOCATION=off', () => {
  const t = useTestApp({ env: { ACCESS_TOKEN_REVOCATION: 'off' } });

  it('keeps accepting the access token after logout, while the refresh token is refused', async () => {
    const user = await registerUser(t);
    await logoutWith(t, user.refreshToken).expect(204);

    await expect(sessionRow(t, sessionIdOf(user.accessToken))).resolves.toMatchObject({ revoke_reason: 'logout' });
    await tokenInfo(t, user.accessToken).expect(200);
    expectProblem(await refreshWith(t, user.refreshToken), 401, 'session_revoked');
  });
});
