import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { claimsOf, decodeJwt, INVALID_TOKEN_CHALLENGE, refreshWith, registerUser, tokenInfo } from './factories/auth.factory.js';
import { b64url, nowSeconds, signJwt, tamperSignature, withoutKeys, type Claims } from './factories/jwt.factory.js';
import { TEST_SECRETS, useTestApp } from './setup/create-test-app.js';
import { sessionRow } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';

describe('forged tokens', () => {
  const t = useTestApp();

  it('accepts an access token re-signed with the configured secret (control for the forgeries below)', async () => {
    const user = await registerUser(t);
    const { header, payload } = decodeJwt(user.accessToken);
    const forged = signJwt(header, { ...payload, jti: randomUUID() }, TEST_SECRETS.JWT_ACCESS_SECRET);

    expect(forged).not.toBe(user.accessToken);
    const response = await tokenInfo(t, forged).expect(200);
    expect(response.body).toMatchObject({ sub: user.user.id, sid: payload.sid });
  });

  const accessForgeries: { case: string; forge: (token: string, header: Claims, payload: Claims) => string }[] = [
    {
      case: 'a payload changed under the original signature',
      forge: (token, _header, payload) => {
        const [h, , s] = token.split('.');
        return `${h}.${b64url({ ...payload, roles: ['user', 'admin'] })}.${s}`;
      },
    },
    {
      case: 'a tampered signature',
      forge: tamperSignature,
    },
    {
      case: 'alg: none without a signature',
      forge: (_token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`,
    },
    {
      case: 'alg: none keeping the original signature',
      forge: (token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.${token.split('.')[2]}`,
    },
    {
      case: 'a token signed with a different secret',
      forge: (_token, header, payload) => signJwt(header, payload, 'a-different-secret-0123456789abcdef0123456789'),
    },
    {
      case: 'a token signed with the refresh secret',
      forge: (_token, header, payload) => signJwt(header, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'HS512 (algorithm switching) with the access secret',
      forge: (_token, header, payload) => signJwt({ ...header, alg: 'HS512' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET, 'sha512'),
    },
    {
      case: 'a wrong issuer',
      forge: (_token, header, payload) => signJwt(header, { ...payload, iss: 'evil-issuer' }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'a wrong audience',
      forge: (_token, header, payload) => signJwt(header, { ...payload, aud: 'other-api' }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    ...['sid', 'jti', 'exp', 'sub', 'iat', 'iss', 'aud', 'roles'].map((claim) => ({
      case: `a token without ${claim}`,
      forge: (_token: string, header: Claims, payload: Claims) =>
        signJwt(header, withoutKeys(payload, claim), TEST_SECRETS.JWT_ACCESS_SECRET),
    })),
    {
      case: 'a sub that is not a user id',
      forge: (_token, header, payload) => signJwt(header, { ...payload, sub: 'admin' }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'an unknown role',
      forge: (_token, header, payload) => signJwt(header, { ...payload, roles: ['root'] }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'a crit header',
      forge: (_token, header, payload) => signJwt({ ...header, crit: ['exp'] }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'a header-supplied jwk',
      forge: (_token, header, payload) =>
        signJwt(
          { ...header, jwk: { kty: 'oct', k: Buffer.from(TEST_SECRETS.JWT_ACCESS_SECRET).toString('base64url') } },
          payload,
          TEST_SECRETS.JWT_ACCESS_SECRET,
        ),
    },
    {
      case: 'a jku header',
      forge: (_token, header, payload) =>
        signJwt({ ...header, jku: 'https://evil.example.com/jwks.json' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'typ rt+jwt',
      forge: (_token, header, payload) => signJwt({ ...header, typ: 'rt+jwt' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'typ JWT',
      forge: (_token, header, payload) => signJwt({ ...header, typ: 'JWT' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'an unknown kid',
      forge: (_token, header, payload) => signJwt({ ...header, kid: 'someone-elses-key' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'an exp past the clock tolerance',
      forge: (_token, header, payload) =>
        signJwt(header, { ...payload, iat: nowSeconds() - 915, exp: nowSeconds() - 15 }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'an nbf in the future',
      forge: (_token, header, payload) =>
        signJwt(header, { ...payload, nbf: nowSeconds() + 120 }, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
  ];

  it.each(accessForgeries)('refuses an access token with $case (401 token_invalid)', async ({ forge }) => {
    const user = await registerUser(t);
    const { header, payload } = decodeJwt(user.accessToken);
    const forged = forge(user.accessToken, header, payload);

    const response = await tokenInfo(t, forged);

    expectProblem(response, 401, 'token_invalid');
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    await tokenInfo(t, user.accessToken).expect(200);
  });

  it('accepts a refresh token re-signed with the refresh key (control for the forgeries below)', async () => {
    const user = await registerUser(t);
    const { header, payload } = decodeJwt(user.refreshToken);
    const response = await refreshWith(t, signJwt(header, payload, TEST_SECRETS.JWT_REFRESH_SECRET));

    expect(response.status).toBe(200);
    expect(claimsOf(response.body.refreshToken).jti).toBe(`${payload.sid}.1`);
  });

  const refreshForgeries: {
    case: string;
    codes: string[];
    forge: (token: string, header: Claims, payload: Claims) => string;
  }[] = [
    {
      case: 'a tampered signature',
      codes: ['token_invalid'],
      forge: tamperSignature,
    },
    {
      case: 'alg: none',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`,
    },
    {
      case: 'the access secret',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt(header, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
    },
    {
      case: 'typ at+jwt',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt({ ...header, typ: 'at+jwt' }, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'a wrong audience',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt(header, { ...payload, aud: 'other-api' }, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'a crit header',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt({ ...header, crit: ['exp'] }, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'no exp',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt(header, withoutKeys(payload, 'exp'), TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'an expired exp',
      codes: ['token_invalid'],
      forge: (_token, header, payload) =>
        signJwt(header, { ...payload, exp: nowSeconds() - 60 }, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'a jti that is not <sid>.<generation>',
      codes: ['token_invalid'],
      forge: (_token, header, payload) => signJwt(header, { ...payload, jti: randomUUID() }, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'a generation the session has not reached (valid signature)',
      codes: ['token_invalid'],
      forge: (_token, header, payload) =>
        signJwt(header, { ...payload, jti: `${payload.sid}.5` }, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
    {
      case: 'a session id that does not exist (valid signature)',
      codes: ['token_invalid', 'session_revoked'],
      forge: (_token, header, payload) => {
        const sid = randomUUID();
        return signJwt(header, { ...payload, sid, jti: `${sid}.0` }, TEST_SECRETS.JWT_REFRESH_SECRET);
      },
    },
    {
      case: 'another subject for this session (valid signature)',
      codes: ['token_invalid', 'session_revoked'],
      forge: (_token, header, payload) => signJwt(header, { ...payload, sub: randomUUID() }, TEST_SECRETS.JWT_REFRESH_SECRET),
    },
  ];

  it.each(refreshForgeries)('refuses a refresh token with $case, leaving the session as it was', async ({ forge, codes }) => {
    const user = await registerUser(t);
    const { header, payload } = decodeJwt(user.refreshToken);
    const response = await refreshWith(t, forge(user.refreshToken, header, payload));

    expect(response.status).toBe(401);
    expect(codes).toContain(response.body.code);
    expectProblem(response, 401, response.body.code);
    expect(response.body).not.toHaveProperty('accessToken');
    await expect(sessionRow(t, payload.sid as string)).resolves.toMatchObject({ generation: 0, revoked_at: null });
    await refreshWith(t, user.refreshToken).expect(200);
  });
});
