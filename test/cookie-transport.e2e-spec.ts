import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { claimsOf, decodeJwt, postRegister, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { expectClearedCookie, refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

const AUTH = '/api/v1/auth';

describe('with REFRESH_TOKEN_TRANSPORT=cookie', () => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SECURE: 'false' } });

  const cookieRefresh = (refreshToken: string) =>
    request(t.server).post(`${AUTH}/refresh`).set('Cookie', `refresh_token=${refreshToken}`);

  async function registerWithCookie() {
    const response = await postRegister(t, newUser()).expect(201);
    const cookie = refreshCookieOf(response);
    expect(cookie).toBeDefined();
    return { response, refreshToken: cookie!.value, sid: sessionIdOf(response.body.accessToken) };
  }

  it('leaves refreshToken out of the body and sets it as a cookie (not Secure with COOKIE_SECURE=false)', async () => {
    const { response, refreshToken, sid } = await registerWithCookie();

    expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshExpiresIn', 'tokenType', 'user']);
    expect(decodeJwt(refreshToken)).toMatchObject({ header: { typ: 'rt+jwt' }, payload: { jti: `${sid}.0` } });
    expect(Object.fromEntries(refreshCookieOf(response)!.attributes)).toEqual({
      httponly: true,
      samesite: 'Strict',
      path: '/api/v1/auth',
      'max-age': String(response.body.refreshExpiresIn),
    });
  });

  it('refreshes with only the cookie on an application/json request without a body, and sets a new cookie', async () => {
    const { refreshToken, sid } = await registerWithCookie();

    const response = await cookieRefresh(refreshToken).set('Content-Type', 'application/json');

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toHaveProperty('refreshToken');
    const cookie = refreshCookieOf(response);
    expect(cookie?.value).toBeDefined();
    expect(cookie!.value).not.toBe(refreshToken);
    expect(claimsOf(cookie!.value).jti).toBe(`${sid}.1`);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1 });
    await tokenInfo(t, response.body.accessToken).expect(200);
  });

  it('refreshes with only the cookie and an empty JSON object body', async () => {
    const { refreshToken, sid } = await registerWithCookie();

    const response = await cookieRefresh(refreshToken).send({});

    expect(response.status).toBe(200);
    expect(claimsOf(refreshCookieOf(response)!.value).jti).toBe(`${sid}.1`);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1 });
  });

  it.each([
    { case: 'no content type', contentType: undefined, body: undefined },
    { case: 'text/plain', contentType: 'text/plain', body: 'x' },
    { case: 'an HTML form', contentType: 'application/x-www-form-urlencoded', body: 'a=b' },
  ])('answers a cookie-only refresh with $case with 415, without rotating (CSRF guard)', async ({ contentType, body }) => {
    const { refreshToken, sid } = await registerWithCookie();

    let pending = cookieRefresh(refreshToken);
    if (contentType) pending = pending.set('Content-Type', contentType);
    const response = await (body === undefined ? pending : pending.send(body));

    expectProblem(response, 415, 'unsupported_media_type');
    expect(refreshCookieOf(response)).toBeUndefined();
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 0, revoked_at: null });
  });

  it('ignores a refresh token sent in the body (401 token_missing)', async () => {
    const { refreshToken, sid } = await registerWithCookie();

    expectProblem(await refreshWith(t, refreshToken), 401, 'token_missing');
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 0 });
  });

  it('logs out with the cookie and clears it', async () => {
    const { refreshToken, sid } = await registerWithCookie();

    const response = await request(t.server)
      .post(`${AUTH}/logout`)
      .set('Cookie', `refresh_token=${refreshToken}`)
      .set('Content-Type', 'application/json');

    expect(response.status).toBe(204);
    expectClearedCookie(response);
    await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoke_reason: 'logout' });
  });
});

describe('with REFRESH_TOKEN_TRANSPORT=body', () => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'body' } });

  it('sets no cookie on register, login and refresh', async () => {
    const input = newUser();
    const registered = await postRegister(t, input).expect(201);
    const loggedIn = await request(t.server).post(`${AUTH}/login`).send({ email: input.email, password: input.password }).expect(200);
    const refreshed = await refreshWith(t, loggedIn.body.refreshToken).expect(200);

    for (const response of [registered, loggedIn, refreshed]) {
      expect(response.body.refreshToken).toEqual(expect.any(String));
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('ignores a refresh cookie (401 token_missing)', async () => {
    const user = await registerUser(t);

    const response = await request(t.server)
      .post(`${AUTH}/refresh`)
      .set('Cookie', `refresh_token=${user.refreshToken}`)
      .set('Content-Type', 'application/json');

    expectProblem(response, 401, 'token_missing');
    await expect(sessionRow(t, sessionIdOf(user.accessToken))).resolves.toMatchObject({ generation: 0 });
  });
});

describe.each([
  ['lax', 'Lax'],
  ['none', 'None'],
])('with COOKIE_SAMESITE=%s', (setting, attribute) => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SAMESITE: setting } });

  it(`sets and clears the refresh cookie with SameSite=${attribute} and Secure`, async () => {
    const registered = await postRegister(t, newUser()).expect(201);
    const cookie = refreshCookieOf(registered)!;
    expect(cookie.attributes.get('samesite')).toBe(attribute);
    expect(cookie.attributes.get('secure')).toBe(true);

    const loggedOut = await request(t.server)
      .post(`${AUTH}/logout`)
      .set('Cookie', `refresh_token=${cookie.value}`)
      .set('Content-Type', 'application/json')
      .expect(204);
    expectClearedCookie(loggedOut);
    // A browser replaces a cookie only when the clearing one carries the same attributes.
    expect(refreshCookieOf(loggedOut)!.attributes.get('samesite')).toBe(attribute);
    expect(refreshCookieOf(loggedOut)!.attributes.get('secure')).toBe(true);
  });
});
