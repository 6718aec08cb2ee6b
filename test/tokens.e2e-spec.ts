import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { claimsOf, decodeJwt, INVALID_TOKEN_CHALLENGE, login, refreshWith, registerUser, sessionIdOf, refusedWithin, tokenInfo } from './factories/auth.factory.js';
import { nowSeconds } from './factories/jwt.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { epochSeconds, sessionRow, sessionsOfUser } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { REFRESH_TTL, UUID } from './setup/token-expectations.js';

const TOKEN_INFO = '/api/v1/auth/token-info';

describe('tokens', () => {
  const t = useTestApp();

  it('issues an at+jwt access token with the required claims and a 15-minute lifetime', async () => {
    const user = await registerUser(t);
    const { header, payload } = decodeJwt(user.accessToken);

    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: expect.any(String) });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'email_verified', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub']);
    expect(payload.email_verified).toBe(false);
    expect(payload).toMatchObject({ iss: 'auth-service', aud: 'api', sub: user.user.id, roles: ['user'] });
    expect(payload.sid).toEqual(expect.stringMatching(UUID));
    expect(payload.jti).toEqual(expect.any(String));
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect(Math.abs((payload.iat as number) - nowSeconds())).toBeLessThanOrEqual(5);
    await expect(sessionsOfUser(t, user.user.id)).resolves.toEqual([expect.objectContaining({ id: payload.sid })]);

    const other = await login(t, user.user.email, user.password);
    expect(claimsOf(other.accessToken).jti).not.toBe(payload.jti);
  });

  it('issues an rt+jwt refresh token under another key, whose jti is <sid>.<generation>', async () => {
    const user = await registerUser(t);
    const access = decodeJwt(user.accessToken);
    const { header, payload } = decodeJwt(user.refreshToken);

    expect(header).toEqual({ alg: 'HS256', typ: 'rt+jwt', kid: expect.any(String) });
    expect(header.kid).not.toBe(access.header.kid);
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
    expect(payload).toMatchObject({ iss: 'auth-service', aud: 'api', sub: user.user.id, sid: access.payload.sid });
    expect(payload.jti).toBe(`${access.payload.sid}.0`);
    expect((payload.exp as number) - (payload.iat as number)).toBe(REFRESH_TTL);

    const session = await sessionRow(t, payload.sid as string);
    expect({ iat: payload.iat, exp: payload.exp }).toEqual({ iat: epochSeconds(session.rotated_at), exp: epochSeconds(session.expires_at) });
    // The database holds no token material.
    const [raw] = await t.db.query<Record<string, unknown>>('SELECT * FROM sessions WHERE id = $1', [payload.sid]);
    expect(JSON.stringify(raw)).not.toContain(user.refreshToken.split('.')[2]);
  });

  it('refuses an access token presented as a refresh token (401 token_invalid)', async () => {
    const user = await registerUser(t);
    const response = await refreshWith(t, user.accessToken);

    expectProblem(response, 401, 'token_invalid');
    await expect(sessionRow(t, sessionIdOf(user.accessToken))).resolves.toMatchObject({ generation: 0, revoked_at: null });
  });

  it('refuses a refresh token presented as an access token (401 token_invalid, invalid_token challenge)', async () => {
    const user = await registerUser(t);
    const response = await tokenInfo(t, user.refreshToken);

    expectProblem(response, 401, 'token_invalid');
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('answers a protected route without a token with 401 token_missing and a bare Bearer challenge', async () => {
    const response = await request(t.server).get(TOKEN_INFO);

    expectProblem(response, 401, 'token_missing');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers a malformed bearer value with 401 token_invalid, and another scheme with 401 token_missing', async () => {
    const malformed = await request(t.server).get(TOKEN_INFO).set('Authorization', 'Bearer not-a-jwt');
    expectProblem(malformed, 401, 'token_invalid');
    expect(malformed.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);

    const user = await registerUser(t);
    const otherScheme = await request(t.server).get(TOKEN_INFO).set('Authorization', `Token ${user.accessToken}`);
    expectProblem(otherScheme, 401, 'token_missing');
    expect(otherScheme.headers['www-authenticate']).toBe('Bearer');
  });

  });

describe('GET /auth/token-info', () => {
  const t = useTestApp();

  it('answers the verified claims of the caller’s access token', async () => {
    const user = await registerUser(t);
    const { payload } = decodeJwt(user.accessToken);

    const response = await tokenInfo(t, user.accessToken);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: user.user.id, sid: payload.sid, roles: ['user'], iat: payload.iat, exp: payload.exp });
  });
});

describe('with a 2-second access token and no clock tolerance', () => {
  const t = useTestApp({ env: { ACCESS_TOKEN_TTL: '2s', JWT_CLOCK_TOLERANCE: '0' } });

  it('refuses the access token once it has expired; the refresh token still gets a new one', async () => {
    const user = await registerUser(t);
    const { payload } = decodeJwt(user.accessToken);
    expect(user.expiresIn).toBe(2);
    expect((payload.exp as number) - (payload.iat as number)).toBe(2);
    await tokenInfo(t, user.accessToken).expect(200);

    // Refused from `exp` on (whole seconds): within the lifetime plus the second it began in.
    const expired = await refusedWithin(t, user.accessToken, 3000, 100);
    expectProblem(expired, 401, 'token_invalid');
    expect(expired.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    const refreshed = await refreshWith(t, user.refreshToken).expect(200);
    await tokenInfo(t, refreshed.body.accessToken).expect(200);
  });

  it('gives a refreshed access token the same 2-second lifetime', async () => {
    const user = await registerUser(t);

    const refreshed = await refreshWith(t, user.refreshToken).expect(200);

    const { iat, exp } = claimsOf(refreshed.body.accessToken);
    expect(refreshed.body.expiresIn).toBe(2);
    expect((exp as number) - (iat as number)).toBe(2);
  });
});
