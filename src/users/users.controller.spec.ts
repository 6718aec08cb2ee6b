import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, VersioningType, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { RolesGuard } from '../auth/guards/roles.guard.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import type { Page } from '../common/pagination.dto.js';
import { ProblemDetailsFilter } from '../common/problem-details.filter.js';
import { createValidationPipe } from '../common/validation.pipe.js';
import type { User } from './entities/user.entity.js';
import type { Role } from '../common/auth/role.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

const CALLER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';

const aUser = (overrides: Partial<User> = {}): User => ({
  id: CALLER_ID,
  email: 'ada@example.com',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$secret-hash',
  name: 'Ada',
  emailVerifiedAt: null,
  roles: ['user'],
  disabledAt: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
  ...overrides,
});

/** Stands in for JwtAuthGuard: the caller is already authenticated with the given roles. */
function authenticatedAs(roles: Role[]) {
  @Injectable()
  class FakeAccessTokenGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const caller: AuthenticatedUser = { id: CALLER_ID, sessionId: SESSION_ID, roles, tokenId: 'jti-1', issuedAt: 1, expiresAt: 2 };
      context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user = caller;
      return true;
    }
  }
  return FakeAccessTokenGuard;
}

/** The application the running test opened, closed after it. */
let openApp: NestFastifyApplication | undefined;

afterEach(async () => {
  await openApp?.close();
  openApp = undefined;
});

/**
 * UsersController behind the real global pipe, the real RolesGuard and the real problem filter,
 * on Fastify, routed as in production (/api/v1/...). Only the service and authentication are fake.
 */
async function setup(roles: Role[]) {
  const users = {
    getById: jest.fn<(id: string) => Promise<User>>().mockResolvedValue(aUser()),
    updateName: jest.fn<(id: string, name: string) => Promise<User>>().mockImplementation(async (_id, name) => aUser({ name })),
    changePassword: jest
      .fn<(id: string, sid: string, current: string, next: string, client: ClientContext) => Promise<void>>()
      .mockResolvedValue(undefined),
    findPage: jest
      .fn<(page: number, pageSize: number, emailPrefix?: string) => Promise<Page<User>>>()
      .mockImplementation(async (page, pageSize) => ({ items: [aUser(), aUser({ id: 'second', email: 'b@example.com' })], total: 2, page, pageSize })),
  };
  const moduleRef = await Test.createTestingModule({
    controllers: [UsersController],
    providers: [
      { provide: UsersService, useValue: users },
      // Same order as production: authentication first, then roles.
      { provide: APP_GUARD, useClass: authenticatedAs(roles) },
      { provide: APP_GUARD, useClass: RolesGuard },
      { provide: APP_PIPE, useFactory: createValidationPipe },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  openApp = app;
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, users };
}

const PUBLIC_USER_KEYS = ['createdAt', 'disabled', 'email', 'emailVerified', 'id', 'name', 'roles'];

describe('UsersController (real ValidationPipe, RolesGuard and ProblemDetailsFilter)', () => {
  describe('GET /api/v1/users/me', () => {
    it("returns the caller's public profile, looked up by the token's subject", async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({ method: 'GET', url: '/api/v1/users/me' });

      expect(response.statusCode).toBe(200);
      expect(users.getById).toHaveBeenCalledWith(CALLER_ID);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(PUBLIC_USER_KEYS);
      expect(body).toEqual({
        id: CALLER_ID,
        email: 'ada@example.com',
        emailVerified: false,
        name: 'Ada',
        roles: ['user'],
        disabled: false,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    });
  });

  describe('PATCH /api/v1/users/me', () => {
    it('rejects an unknown property (roles) with 400 validation_failed and a field error, without calling the service', async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({ method: 'PATCH', url: '/api/v1/users/me', payload: { name: 'Ada', roles: ['admin'] } });

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 400,
        code: 'validation_failed',
        errors: [{ field: 'roles', message: expect.any(String) }],
      });
      expect(users.updateName).not.toHaveBeenCalled();
    });

    it('trims the name (DTO transform) before the service sees it', async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({ method: 'PATCH', url: '/api/v1/users/me', payload: { name: '  Grace Hopper  ' } });

      expect(response.statusCode).toBe(200);
      expect(users.updateName).toHaveBeenCalledWith(CALLER_ID, 'Grace Hopper');
      expect(Object.keys(response.json()).sort()).toEqual(PUBLIC_USER_KEYS);
      expect(response.json().name).toBe('Grace Hopper');
    });

    it.each([
      ['missing', {}],
      ['empty after trimming', { name: '   ' }],
      ['101 characters', { name: 'x'.repeat(101) }],
      ['not a string', { name: ['Ada'] }],
    ])('rejects a name that is %s with a field error on name', async (_case, payload) => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({ method: 'PATCH', url: '/api/v1/users/me', payload });

      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
      expect(users.updateName).not.toHaveBeenCalled();
    });
  });

  describe('POST /api/v1/users/me/password', () => {
    it('passes the caller, its session and the client to the service and answers 204', async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/password',
        headers: { 'user-agent': 'controller-spec' },
        payload: { currentPassword: 'old passphrase', newPassword: 'a brand new passphrase' },
      });

      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(users.changePassword).toHaveBeenCalledWith(
        CALLER_ID,
        SESSION_ID,
        'old passphrase',
        'a brand new passphrase',
        expect.objectContaining({ userAgent: 'controller-spec' }),
      );
    });

    it('rejects a common new password with a field error on newPassword', async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/password',
        payload: { currentPassword: 'old passphrase', newPassword: 'password' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
      expect(users.changePassword).not.toHaveBeenCalled();
    });
  });

  describe('GET /api/v1/users', () => {
    it('answers 403 forbidden to a caller without the admin role, without calling the service', async () => {
      const { app, users } = await setup(['user']);

      const response = await app.inject({ method: 'GET', url: '/api/v1/users' });

      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 403, code: 'forbidden' });
      expect(users.findPage).not.toHaveBeenCalled();
    });

    it('lets an admin list users, with page and pageSize transformed to numbers', async () => {
      const { app, users } = await setup(['user', 'admin']);

      const response = await app.inject({ method: 'GET', url: '/api/v1/users?page=2&pageSize=5' });

      expect(response.statusCode).toBe(200);
      expect(users.findPage).toHaveBeenCalledWith(2, 5, undefined);
      const [page, pageSize] = users.findPage.mock.calls[0];
      expect(typeof page).toBe('number');
      expect(typeof pageSize).toBe('number');
      const body = response.json();
      expect(body).toMatchObject({ total: 2, page: 2, pageSize: 5 });
      for (const item of body.items) expect(Object.keys(item).sort()).toEqual(PUBLIC_USER_KEYS);
      expect(response.body).not.toContain('argon2');
    });

    it('defaults to page 1 of 20', async () => {
      const { app, users } = await setup(['admin']);

      await app.inject({ method: 'GET', url: '/api/v1/users' });

      expect(users.findPage).toHaveBeenCalledWith(1, 20, undefined);
    });

    it('passes ?email= trimmed and lower-cased as the prefix', async () => {
      const { app, users } = await setup(['admin']);

      await app.inject({ method: 'GET', url: '/api/v1/users?email=%20Ada_%25@' });

      expect(users.findPage).toHaveBeenCalledWith(1, 20, 'ada_%@');
    });

    it.each([
      ['pageSize=101', 'pageSize'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['email=', 'email'],
      ['email=a&email=b', 'email'],
      [`email=${'a'.repeat(255)}`, 'email'],
    ])('rejects ?%s with a field error, without calling the service', async (query, field) => {
      const { app, users } = await setup(['admin']);

      const response = await app.inject({ method: 'GET', url: `/api/v1/users?${query}` });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ field })] });
      expect(users.findPage).not.toHaveBeenCalled();
    });
  });
});
