import { describe, expect, it } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { AllConfig } from '../config/config.types.js';
import { validateEnv } from '../config/env.validation.js';
import type { SessionState } from '../sessions/sessions.types.js';
import { keyPair, type KeyPair } from '../../test/factories/keys.factory.js';
import { JwtKeys } from './jwt-keys.js';
import { TokensService } from './tokens.service.js';

const ACCESS_SECRET = 'unit-access-secret-0123456789abcdef0123456789';
const REFRESH_SECRET = 'unit-refresh-secret-0123456789abcdef012345678';
const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';
const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
/** A fixed "now" (whole seconds), so expiry arithmetic is exact. */
const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = NOW_MS / 1000;

const aSession = (overrides: Partial<SessionState> = {}): SessionState => ({
  id: SESSION_ID,
  userId: USER_ID,
  generation: 3,
  rotatedAt: (NOW_MS - 60_000) / 1000,
  expiresAt: (NOW_MS + 7 * 86_400_000) / 1000,
  roles: ['user', 'admin'],
  emailVerified: true,
  ...overrides,
});

function setup(env: Record<string, string> = {}) {
  const config = validateEnv({ NODE_ENV: 'test', JWT_ACCESS_SECRET: ACCESS_SECRET, JWT_REFRESH_SECRET: REFRESH_SECRET, ...env });
  const configService = {
    get: (key: string) => {
      if (key === 'jwt') return config.jwt;
      throw new Error(`unexpected config key ${key}`);
    },
  } as unknown as ConfigService<AllConfig, true>;
  // jsonwebtoken, as an independent verifier of what TokensService signs by hand.
  const jwt = new JwtService();
  const keys = new JwtKeys(configService);
  return { tokens: new TokensService(configService, keys), keys, jwt, config };
}

const decode = (token: string) => {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload } as { header: Record<string, unknown>; payload: Record<string, unknown> };
};

describe('TokensService', () => {
  it('derives the refresh token from the session state alone: the same state gives the identical token', () => {
    const { tokens } = setup();

    const first = tokens.issue(aSession(), NOW_MS);
    const second = tokens.issue(aSession(), NOW_MS + 5_000);

    expect(second.refreshToken).toBe(first.refreshToken);
    expect(tokens.refreshTokenFor(aSession())).toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it('gives another refresh token for another generation, rotation time or expiry', () => {
    const { tokens } = setup();
    const base = tokens.refreshTokenFor(aSession());

    expect(tokens.refreshTokenFor(aSession({ generation: 4 }))).not.toBe(base);
    expect(tokens.refreshTokenFor(aSession({ rotatedAt: NOW_MS / 1000 }))).not.toBe(base);
    expect(tokens.refreshTokenFor(aSession({ expiresAt: (NOW_MS + 86_400_000) / 1000 }))).not.toBe(base);
  });

  it('signs the access token as HS256 with typ at+jwt and the access kid', () => {
    const { tokens, keys } = setup();

    const { header } = decode(tokens.issue(aSession(), NOW_MS).accessToken);

    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: keys.access.signingKid });
    expect(keys.access.signingKid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('signs the refresh token as HS256 with typ rt+jwt and a kid of its own', () => {
    const { tokens, keys } = setup();

    const { header } = decode(tokens.issue(aSession(), NOW_MS).refreshToken);

    expect(header).toEqual({ alg: 'HS256', typ: 'rt+jwt', kid: keys.refresh.kid });
    expect(keys.refresh.kid).not.toBe(keys.access.signingKid);
  });

  it('puts every access claim of the contract in the access token', () => {
    const { tokens, config } = setup();

    const { payload } = decode(tokens.issue(aSession(), NOW_MS).accessToken);

    expect(payload).toEqual({
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      sub: USER_ID,
      sid: SESSION_ID,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: NOW,
      exp: NOW + config.jwt.accessTtlSeconds,
      roles: ['user', 'admin'],
      email_verified: true,
    });
  });

  it('puts the session times and `<sid>.<generation>` in the refresh token, and no roles', () => {
    const { tokens, config } = setup();
    const session = aSession();

    const { payload } = decode(tokens.issue(session, NOW_MS).refreshToken);

    expect(payload).toEqual({
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      sub: USER_ID,
      sid: SESSION_ID,
      jti: `${SESSION_ID}.3`,
      iat: session.rotatedAt,
      exp: session.expiresAt,
    });
  });

  it('signs each token with its own configured secret: neither verifies with the other one', () => {
    const { tokens, jwt, config } = setup();
    const pair = tokens.issue(aSession(), NOW_MS);
    const options = { algorithms: ['HS256' as const], clockTimestamp: NOW };
    const { accessSecret, refreshSecret } = config.jwt;

    expect(jwt.verify(pair.accessToken, { ...options, secret: accessSecret })).toMatchObject({ sid: SESSION_ID });
    expect(jwt.verify(pair.refreshToken, { ...options, secret: refreshSecret })).toMatchObject({ sid: SESSION_ID });
    expect(() => jwt.verify(pair.accessToken, { ...options, secret: refreshSecret })).toThrow(/invalid signature/);
    expect(() => jwt.verify(pair.refreshToken, { ...options, secret: accessSecret })).toThrow(/invalid signature/);
  });

  it('reports the lifetimes in seconds: expiresIn = access TTL, refreshExpiresIn = time to the session expiry', () => {
    const { tokens, config } = setup();

    const pair = tokens.issue(aSession(), NOW_MS);

    expect(pair.expiresIn).toBe(config.jwt.accessTtlSeconds);
    expect(pair.refreshExpiresIn).toBe(7 * 86_400);
  });

  it('caps the access token expiry at the session expiry', () => {
    const { tokens } = setup({ ACCESS_TOKEN_TTL: '15m' });
    const session = aSession({ expiresAt: (NOW_MS + 60_000) / 1000 });

    const pair = tokens.issue(session, NOW_MS);

    expect(decode(pair.accessToken).payload.exp).toBe(NOW + 60);
    expect(pair.expiresIn).toBe(60);
    expect(pair.refreshExpiresIn).toBe(60);
  });

  it('never reports a negative lifetime for a session that has just expired', () => {
    const { tokens } = setup();

    const pair = tokens.issue(aSession({ expiresAt: (NOW_MS - 1_000) / 1000 }), NOW_MS);

    expect(pair.expiresIn).toBe(0);
    expect(pair.refreshExpiresIn).toBe(0);
  });

  it('honours ACCESS_TOKEN_TTL, JWT_ISSUER and JWT_AUDIENCE', () => {
    const { tokens } = setup({ ACCESS_TOKEN_TTL: '5m', JWT_ISSUER: 'https://id.example.com', JWT_AUDIENCE: 'billing' });

    const { payload } = decode(tokens.issue(aSession(), NOW_MS).accessToken);

    expect(payload).toMatchObject({ iss: 'https://id.example.com', aud: 'billing', exp: NOW + 300 });
  });

  it('derives the kids from the secrets: another secret gives another kid', () => {
    const { keys } = setup();
    const other = setup({
      JWT_ACCESS_SECRET: 'another-access-secret-0123456789abcdef012345',
      JWT_REFRESH_SECRET: 'another-refresh-secret-0123456789abcdef01234',
    }).keys;

    expect(other.access.signingKid).not.toBe(keys.access.signingKid);
    expect(other.refresh.kid).not.toBe(keys.refresh.kid);
    expect(setup().keys.refresh.kid).toBe(keys.refresh.kid);
  });

  it('signs a refresh token byte for byte as jsonwebtoken did, so a replay on an older instance matches it', () => {
    const { tokens, keys, jwt, config } = setup();
    const session = aSession();

    const before = jwt.sign(
      { sub: USER_ID, sid: SESSION_ID, jti: `${SESSION_ID}.3`, iat: NOW - 60, exp: NOW + 7 * 86_400 },
      {
        algorithm: 'HS256',
        privateKey: keys.refresh.key,
        keyid: keys.refresh.kid,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        header: { typ: 'rt+jwt', alg: 'HS256' },
      },
    );

    expect(tokens.refreshTokenFor(session)).toBe(before);
  });

  it.each([
    ['ES256', 'P-256'],
    ['RS256', 'RSA-2048'],
  ] as const)('signs %s access tokens that jsonwebtoken verifies with the public key', (algorithm, type) => {
    const pair = keyPair(type);
    const { tokens, jwt, keys } = setup({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: pair.privatePem });

    const pem = (key: KeyPair) => key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const options = { algorithms: [algorithm], clockTimestamp: NOW };

    const { accessToken } = tokens.issue(aSession(), NOW_MS);

    expect(decode(accessToken).header).toEqual({ alg: algorithm, typ: 'at+jwt', kid: keys.access.signingKid });
    expect(jwt.verify(accessToken, { ...options, publicKey: pem(pair) })).toMatchObject({ sid: SESSION_ID });
    expect(() => jwt.verify(accessToken, { ...options, publicKey: pem(keyPair(type)) })).toThrow(/invalid signature/);
  });
});
