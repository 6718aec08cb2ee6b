import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { AllConfig } from '../config/config.types.js';
import { validateEnv } from '../config/env.validation.js';
import { JwtKeys } from './jwt-keys.js';
import { AccessTokenVerifier, RefreshTokenVerifier } from './token-verifier.js';

const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';
const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const ACCESS_SECRET = 'unit-access-secret-0123456789abcdef0123456789';
const NOW = 1_800_000_000;

function setup(env: Record<string, string> = {}) {
  const config = validateEnv({ NODE_ENV: 'test', JWT_ACCESS_SECRET: ACCESS_SECRET, JWT_REFRESH_SECRET: `r${ACCESS_SECRET}`, ...env });
  const service = { get: (key: string) => (key === 'jwt' ? config.jwt : undefined) } as unknown as ConfigService<AllConfig, true>;
  const keys = new JwtKeys(service);
  return { keys, config, access: new AccessTokenVerifier(service, keys), refresh: new RefreshTokenVerifier(service, keys) };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HS256 and `secret`, whatever its header says. */
function hs256(header: object, payload: object, secret: Buffer): string {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const accessClaims = (overrides: object = {}) => ({
  iss: 'auth-service',
  aud: 'api',
  sub: USER_ID,
  sid: SESSION_ID,
  jti: 'a1',
  iat: NOW,
  exp: NOW + 900,
  roles: ['user'],
  ...overrides,
});

afterEach(() => {
  jest.useRealTimers();
});

describe('AccessTokenVerifier', () => {
  const at = (kid: string, header: object = {}) => ({ alg: 'HS256', typ: 'at+jwt', kid, ...header });

  it('accepts a well-formed token and returns its claims', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();

    expect(access.verify(hs256(at(keys.access.signingKid), accessClaims(), config.jwt.accessSecret))).toMatchObject({ sid: SESSION_ID });
  });

  it('accepts the same header written another way (decoded, not recognised as signed here)', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();
    const reordered = { kid: keys.access.signingKid, typ: 'at+jwt', alg: 'HS256' };

    expect(access.verify(hs256(reordered, accessClaims(), config.jwt.accessSecret))).toMatchObject({ sid: SESSION_ID });
    expect(access.verify(hs256({ ...reordered, typ: 'rt+jwt' }, accessClaims(), config.jwt.accessSecret))).toBeUndefined();
  });

  it.each([
    ['another typ', { typ: 'JWT' }],
    ['alg none', { alg: 'none' }],
    ['a jku header', { jku: 'https://evil.example/jwks' }],
    ['a jwk header', { jwk: { kty: 'oct' } }],
    ['an x5u header', { x5u: 'https://evil.example/cert' }],
    ['an x5c header', { x5c: ['MII'] }],
    ['a crit header', { crit: ['exp'] }],
    ['an unknown kid', { kid: 'unknown' }],
  ])('refuses %s', (_case, header) => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();

    expect(access.verify(hs256(at(keys.access.signingKid, header), accessClaims(), config.jwt.accessSecret))).toBeUndefined();
  });

  it.each([
    ['another issuer', { iss: 'other' }],
    ['another audience', { aud: 'other' }],
    ['no exp', { exp: undefined }],
    ['no jti', { jti: undefined }],
    ['a sid that is not a UUID', { sid: 'x' }],
    ['an unknown role', { roles: ['root'] }],
    ['a not-yet-valid token', { nbf: NOW + 60 }],
  ])('refuses %s', (_case, claims) => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();

    expect(access.verify(hs256(at(keys.access.signingKid), accessClaims(claims), config.jwt.accessSecret))).toBeUndefined();
  });

  it('accepts an audience array that contains ours', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();

    expect(access.verify(hs256(at(keys.access.signingKid), accessClaims({ aud: ['x', 'api'] }), config.jwt.accessSecret))).toBeDefined();
  });

  it('honours the clock tolerance at expiry, and not a second more', () => {
    const { access, keys, config } = setup({ JWT_CLOCK_TOLERANCE: '5s' });
    const token = hs256(at(keys.access.signingKid), accessClaims({ exp: NOW }), config.jwt.accessSecret);

    jest.useFakeTimers({ now: (NOW + 4) * 1000 });
    expect(access.verify(token)).toBeDefined();
    jest.setSystemTime((NOW + 5) * 1000);
    expect(access.verify(token)).toBeUndefined();
  });

  it('refuses a token signed with another key, or with a non-canonical signature encoding', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { access, keys, config } = setup();
    const good = hs256(at(keys.access.signingKid), accessClaims(), config.jwt.accessSecret);
    // The MAC's 32 bytes leave two unused bits in the last base64url character.
    const last = good.at(-1)!;
    const sameBytes = 'AEIMQUYcgkosw048'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;

    expect(access.verify(hs256(at(keys.access.signingKid), accessClaims(), config.jwt.refreshSecret))).toBeUndefined();
    if (sameBytes !== last) expect(access.verify(`${good.slice(0, -1)}${sameBytes}`)).toBeUndefined();
    expect(access.verify(`${good}.x`)).toBeUndefined();
    expect(access.verify('not a token')).toBeUndefined();
  });

  it('verifies ES256 with the JOSE signature encoding, by kid', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const { access, keys } = setup({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: pem });
    const input = `${part({ alg: 'ES256', typ: 'at+jwt', kid: keys.access.signingKid })}.${part(accessClaims())}`;
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');

    expect(access.verify(`${input}.${signature}`)).toMatchObject({ sub: USER_ID });
    expect(access.verify(`${input}.${signature.slice(0, -2)}AA`)).toBeUndefined();
  });
});

describe('RefreshTokenVerifier', () => {
  const rt = (kid: string) => ({ alg: 'HS256', typ: 'rt+jwt', kid });
  const refreshClaims = (jti: string) => ({ iss: 'auth-service', aud: 'api', sub: USER_ID, sid: SESSION_ID, jti, iat: NOW, exp: NOW + 60 });

  it('returns the session and the generation of `<sid>.<generation>`', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { refresh, keys, config } = setup();

    expect(refresh.verify(hs256(rt(keys.refresh.kid), refreshClaims(`${SESSION_ID}.7`), config.jwt.refreshSecret))).toEqual({
      userId: USER_ID,
      sessionId: SESSION_ID,
      generation: 7,
    });
  });

  it.each([`${SESSION_ID}`, `${SESSION_ID}.`, `${SESSION_ID}.-1`, `${SESSION_ID}.1234567890`, `${SESSION_ID}x1`, 'other.1'])(
    'refuses jti %s',
    (jti) => {
      jest.useFakeTimers({ now: NOW * 1000 });
      const { refresh, keys, config } = setup();

      expect(refresh.verify(hs256(rt(keys.refresh.kid), refreshClaims(jti), config.jwt.refreshSecret))).toBeUndefined();
    },
  );

  it('never takes an access token, even one signed with the refresh key', () => {
    jest.useFakeTimers({ now: NOW * 1000 });
    const { refresh, keys, config } = setup();

    const header = { alg: 'HS256', typ: 'at+jwt', kid: keys.refresh.kid };
    expect(refresh.verify(hs256(header, refreshClaims(`${SESSION_ID}.1`), config.jwt.refreshSecret))).toBeUndefined();
  });
});
