import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fastifyCookie from '@fastify/cookie';
import { VersioningType } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ClientContext } from '../common/client-context.decorator.js';
import { ProblemDetailsFilter } from '../common/problem-details.filter.js';
import { createValidationPipe } from '../common/validation.pipe.js';
import type { AllConfig } from '../config/config.types.js';
import { validateEnv } from '../config/env.validation.js';
import { RevocationService } from '../sessions/revocation.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { SessionState } from '../sessions/sessions.types.js';
import { authThrottling } from './auth-throttling.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthThrottlerGuard } from './guards/auth-throttler.guard.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwtKeys } from './jwt-keys.js';
import { RefreshTokenTransport } from './refresh-token.transport.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { AccessTokenVerifier, RefreshTokenVerifier } from './token-verifier.js';
import { TokensService, type TokenPair } from './tokens.service.js';
import type { RefreshPrincipal } from './types/token-claims.js';

const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';
const REFRESH = '/api/v1/auth/refresh';
const JSON_TYPE = { 'content-type': 'application/json' };

const aSession = (generation = 4): SessionState => ({
  id: SESSION_ID,
  userId: USER_ID,
  generation,
  rotatedAt: Math.floor((Date.now() - 60_000) / 1000),
  expiresAt: Math.floor((Date.now() + 86_400_000) / 1000),
  roles: ['user'],
  emailVerified: true,
});

function fakeConfig(config: AllConfig): ConfigService<AllConfig, true> {
  const get = (path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
  return { get, getOrThrow: get } as unknown as ConfigService<AllConfig, true>;
}

let openApp: NestFastifyApplication | undefined;

afterEach(async () => {
  await openApp?.close();
  openApp = undefined;
});

/**
 * AuthController behind the real guards (JwtAuthGuard, JwtRefreshGuard with their Passport
 * strategies, verifiers and keys, RolesGuard, the throttler guard), the real ValidationPipe and
 * problem filter, on Fastify with cookies, routed as in production. Only the services are fake;
 * tokens are minted by the real TokensService.
 */
async function setup(env: Record<string, string> = {}) {
  const config = fakeConfig(validateEnv({ NODE_ENV: 'test', THROTTLE_ENABLED: 'false', ...env }));
  const next: TokenPair = { accessToken: 'next-access', refreshToken: 'next-refresh', expiresIn: 900, refreshExpiresIn: 604800 };
  const auth = {
    refresh: jest.fn<(principal: RefreshPrincipal, client: ClientContext) => Promise<TokenPair>>().mockResolvedValue(next),
    logout: jest.fn<(principal: RefreshPrincipal, client: ClientContext) => Promise<void>>().mockResolvedValue(undefined),
    login: jest.fn<() => Promise<TokenPair>>().mockResolvedValue(next),
  };
  const revoked = new Set<string>();
  const revocations = { isRevoked: (sessionId: string) => revoked.has(sessionId) };
  const moduleRef = await Test.createTestingModule({
    imports: [PassportModule, ThrottlerModule.forRoot(authThrottling(config.get('auth', { infer: true })))],
    controllers: [AuthController],
    providers: [
      { provide: ConfigService, useValue: config },
      { provide: AuthService, useValue: auth },
      { provide: SessionsService, useValue: {} },
      { provide: RevocationService, useValue: revocations },
      JwtKeys,
      TokensService,
      AccessTokenVerifier,
      RefreshTokenVerifier,
      RefreshTokenTransport,
      JwtStrategy,
      JwtRefreshStrategy,
      AuthThrottlerGuard,
      JwtRefreshGuard,
      { provide: APP_GUARD, useClass: JwtAuthGuard },
      { provide: APP_GUARD, useClass: RolesGuard },
      { provide: APP_PIPE, useFactory: createValidationPipe },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  openApp = app;
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  await app.register(fastifyCookie, { hook: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const tokens = app.get(TokensService).issue(aSession());
  return { app, auth, tokens, revoked };
}

const post = (app: NestFastifyApplication, url: string, options: { payload?: object; headers?: Record<string, string> } = {}) =>
  app.inject({ method: 'POST', url, ...options });

describe('AuthController (real guards, strategies, ValidationPipe and ProblemDetailsFilter)', () => {
  describe('POST /api/v1/auth/refresh', () => {
    it('hands the service the verified holder of a body token and answers the new pair, with the cookie', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, { payload: { refreshToken: tokens.refreshToken }, headers: { 'user-agent': 'spec' } });

      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        accessToken: 'next-access',
        refreshToken: 'next-refresh',
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshExpiresIn: 604800,
      });
      expect(String(response.headers['set-cookie'])).toMatch(/^refresh_token=next-refresh;.*HttpOnly/);
      expect(auth.refresh).toHaveBeenCalledWith(
        { userId: USER_ID, sessionId: SESSION_ID, generation: 4 },
        { ip: '127.0.0.1', userAgent: 'spec' },
      );
    });

    it('takes the cookie on an application/json request', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, { payload: {}, headers: { cookie: `refresh_token=${tokens.refreshToken}` } });

      expect(response.statusCode).toBe(200);
      expect(auth.refresh).toHaveBeenCalledWith(expect.objectContaining({ sessionId: SESSION_ID }), expect.anything());
    });

    it('lets a body token win over the cookie', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, {
        payload: { refreshToken: tokens.refreshToken },
        headers: { cookie: 'refresh_token=not-a-token' },
      });

      expect(response.statusCode).toBe(200);
      expect(auth.refresh).toHaveBeenCalledTimes(1);
    });

    it('refuses the cookie on a request that is not application/json with 415, before the service', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, { headers: { cookie: `refresh_token=${tokens.refreshToken}` } });

      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ code: 'unsupported_media_type' });
      expect(auth.refresh).not.toHaveBeenCalled();
    });

    it('answers 401 token_missing without a token, without a bearer challenge', async () => {
      const { app, auth } = await setup();

      const response = await post(app, REFRESH, { payload: {} });

      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'token_missing', detail: 'Send the refresh token.' });
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(auth.refresh).not.toHaveBeenCalled();
    });

    it.each([
      ['a malformed token', () => 'abc.def.ghi'],
      ['an access token', (pair: TokenPair) => pair.accessToken],
      ['a token with a flipped signature character', (pair: TokenPair) => `${pair.refreshToken.slice(0, -1)}${pair.refreshToken.endsWith('A') ? 'B' : 'A'}`],
    ])('answers 401 token_invalid for %s', async (_case, tokenOf) => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, { payload: { refreshToken: tokenOf(tokens) } });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'token_invalid' });
      expect(auth.refresh).not.toHaveBeenCalled();
    });

    it('answers 400 validation_failed for an unknown field, naming it', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, REFRESH, { payload: { refreshToken: tokens.refreshToken, token: 'x' } });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'token', message: 'token is not allowed' }] });
      expect(auth.refresh).not.toHaveBeenCalled();
    });

    it('ignores the body with REFRESH_TOKEN_TRANSPORT=cookie (401 token_missing)', async () => {
      const { app, tokens } = await setup({ REFRESH_TOKEN_TRANSPORT: 'cookie' });

      const response = await post(app, REFRESH, { payload: { refreshToken: tokens.refreshToken } });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'token_missing' });
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it('ends the session of the token and clears the cookie', async () => {
      const { app, auth, tokens } = await setup();

      const response = await post(app, '/api/v1/auth/logout', { payload: { refreshToken: tokens.refreshToken }, headers: JSON_TYPE });

      expect(response.statusCode).toBe(204);
      expect(String(response.headers['set-cookie'])).toMatch(/^refresh_token=;/);
      expect(auth.logout).toHaveBeenCalledWith({ userId: USER_ID, sessionId: SESSION_ID, generation: 4 }, expect.anything());
    });
  });

  describe('GET /api/v1/auth/token-info', () => {
    it('answers the verified claims of the access token', async () => {
      const { app, tokens } = await setup();

      const response = await app.inject({ method: 'GET', url: '/api/v1/auth/token-info', headers: { authorization: `Bearer ${tokens.accessToken}` } });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ sub: USER_ID, sid: SESSION_ID, roles: ['user'], iat: expect.any(Number), exp: expect.any(Number) });
    });

    it('answers 401 token_missing with a bearer challenge without a token, and token_invalid for a refresh token', async () => {
      const { app, tokens } = await setup();

      const missing = await app.inject({ method: 'GET', url: '/api/v1/auth/token-info' });
      const wrongType = await app.inject({ method: 'GET', url: '/api/v1/auth/token-info', headers: { authorization: `Bearer ${tokens.refreshToken}` } });

      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toMatchObject({ code: 'token_missing' });
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(wrongType.statusCode).toBe(401);
      expect(wrongType.json()).toMatchObject({ code: 'token_invalid' });
      expect(wrongType.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('answers 401 session_revoked once the session is on the revocation list', async () => {
      const { app, tokens, revoked } = await setup();
      revoked.add(SESSION_ID);

      const response = await app.inject({ method: 'GET', url: '/api/v1/auth/token-info', headers: { authorization: `Bearer ${tokens.accessToken}` } });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'session_revoked' });
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('answers 400 validation_failed for a malformed email, without calling the service', async () => {
      const { app, auth } = await setup();

      const response = await post(app, '/api/v1/auth/login', { payload: { email: 'not-an-email', password: 'x'.repeat(12) } });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'email' }] });
      expect(auth.login).not.toHaveBeenCalled();
    });
  });
});
