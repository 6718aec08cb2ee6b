import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, login, refusedWithin, registerUser, sessionIdOf, signInAsAdmin, tokenInfo, type SignedIn } from './factories/auth.factory.js';
import { BOOT_TIMEOUT_MS, useTestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

const SESSION_KEYS = ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent'];

/** Every admin route on one account, as [method, path]. */
const ADMIN_ROUTES = (id: string) =>
  [
    ['get', `/api/v1/users/${id}`],
    ['patch', `/api/v1/users/${id}`],
    ['delete', `/api/v1/users/${id}`],
    ['get', `/api/v1/users/${id}/sessions`],
    ['delete', `/api/v1/users/${id}/sessions`],
  ] as const;

describe('admin: users (/api/v1/users/:id)', () => {
  const t = useTestApp();
  let admin: SignedIn;

  beforeAll(async () => {
    admin = await signInAsAdmin(t);
  }, BOOT_TIMEOUT_MS);

  const asAdmin = (method: 'get' | 'patch' | 'delete', path: string) => request(t.server)[method](path).set(bearer(admin.accessToken));

  const userRow = async (id: string) =>
    (await t.db.query<{ roles: string[]; disabled_at: Date | null; created_at: Date }>(
      'SELECT roles, disabled_at, created_at FROM users WHERE id = $1',
      [id],
    ))[0];

  const eventsOf = (id: string) =>
    t.db.query<{ type: string; actor_id: string | null; ip: string | null; user_agent: string | null }>(
      'SELECT type, actor_id, ip, user_agent FROM auth_events WHERE user_id = $1 ORDER BY id',
      [id],
    );

  describe('access', () => {
    it.each(ADMIN_ROUTES(randomUUID()))('%s %s is 403 forbidden for a non-admin, and changes nothing', async (method, path) => {
      const user = await registerUser(t);
      const target = await registerUser(t);
      const route = path.replace(/users\/[^/]+/, `users/${target.user.id}`);

      const response = await request(t.server)[method](route).set(bearer(user.accessToken)).send(method === 'patch' ? { disabled: true } : undefined);

      expectProblem(response, 403, 'forbidden');
      expect(await userRow(target.user.id)).toMatchObject({ disabled_at: null, roles: ['user'] });
      expect((await tokenInfo(t, target.accessToken)).status).toBe(200);
    });

    it.each(ADMIN_ROUTES('not-a-uuid'))('%s %s is 400 validation_failed naming id', async (method, path) => {
      const response = await asAdmin(method, path).send(method === 'patch' ? { disabled: true } : undefined);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
    });

    it.each(ADMIN_ROUTES(randomUUID()))('%s %s is 404 not_found for an unknown id', async (method, path) => {
      const response = await asAdmin(method, path).send(method === 'patch' ? { disabled: true } : undefined);

      expectProblem(response, 404, 'not_found');
    });
  });

  describe('GET /users/:id', () => {
    it('returns the account as stored, without secrets', async () => {
      const target = await registerUser(t, { name: 'Grace' });

      const response = await asAdmin('get', `/api/v1/users/${target.user.id}`).expect(200);

      const row = await userRow(target.user.id);
      expect(response.body).toMatchObject({
        id: target.user.id,
        email: target.user.email,
        name: 'Grace',
        roles: ['user'],
        disabled: false,
        createdAt: row.created_at.toISOString(),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/password|hash/i);
    });
  });

  describe('PATCH /users/:id', () => {
    it('sets the roles and records roles_changed naming the admin', async () => {
      const target = await registerUser(t);

      const response = await asAdmin('patch', `/api/v1/users/${target.user.id}`).send({ roles: ['admin', 'user'] }).expect(200);

      expect(response.body).toMatchObject({ id: target.user.id, roles: ['user', 'admin'], disabled: false });
      expect((await userRow(target.user.id)).roles).toEqual(['user', 'admin']);
      expect((await eventsOf(target.user.id)).at(-1)).toEqual({ type: 'roles_changed', actor_id: admin.user.id, ip: null, user_agent: null });
      // The account sees who acted in its own log.
      const events = await request(t.server).get('/api/v1/auth/events').set(bearer(target.accessToken)).expect(200);
      expect(events.body.items[0]).toMatchObject({ type: 'roles_changed', actorId: admin.user.id });
      // The new role reaches the account's tokens at its next sign-in or refresh.
      const again = await login(t, target.user.email, target.password);
      await request(t.server).get('/api/v1/users').set(bearer(again.accessToken)).expect(200);
    });

    it('records nothing when the values do not change', async () => {
      const target = await registerUser(t);
      const before = await eventsOf(target.user.id);

      await asAdmin('patch', `/api/v1/users/${target.user.id}`).send({ roles: ['user'], disabled: false }).expect(200);
      await asAdmin('patch', `/api/v1/users/${target.user.id}`).send({}).expect(200);

      expect(await eventsOf(target.user.id)).toEqual(before);
    });

    it.each([
      ['an unknown field', { email: 'x@example.com' }, 'email'],
      ['an empty role list', { roles: [] }, 'roles'],
      ['an unknown role', { roles: ['root'] }, 'roles'],
      ['a duplicate role', { roles: ['user', 'user'] }, 'roles'],
      ['roles as a string', { roles: 'admin' }, 'roles'],
      ['roles: null', { roles: null }, 'roles'],
      ['disabled as a string', { disabled: 'true' }, 'disabled'],
      ['disabled: null', { disabled: null }, 'disabled'],
    ])('refuses %s with 400 and changes nothing', async (_case, body, field) => {
      const target = await registerUser(t);

      const response = await asAdmin('patch', `/api/v1/users/${target.user.id}`).send(body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await userRow(target.user.id)).toMatchObject({ roles: ['user'], disabled_at: null });
      expect((await eventsOf(target.user.id)).map((event) => event.type)).toEqual(['login']);
    });
  });

  describe('GET /users/:id/sessions', () => {
    it('lists the account’s active sessions, most recently used first, none current', async () => {
      const target = await registerUser(t);
      const second = await login(t, target.user.email, target.password, 'second-device');
      const third = await login(t, target.user.email, target.password, 'third-device');
      await request(t.server).delete(`/api/v1/auth/sessions/${sessionIdOf(third.accessToken)}`).set(bearer(third.accessToken)).expect(204);

      const response = await asAdmin('get', `/api/v1/users/${target.user.id}/sessions`).expect(200);

      expect(response.body.map((session: { id: string }) => session.id)).toEqual([sessionIdOf(second.accessToken), sessionIdOf(target.accessToken)]);
      for (const session of response.body) expect(Object.keys(session).sort()).toEqual(SESSION_KEYS);
      expect(response.body[0]).toMatchObject({ userAgent: 'second-device', current: false });
      expect(response.body[1].current).toBe(false);
    });
  });

  describe('DELETE /users/:id/sessions', () => {
    it('revokes every session (access tokens within 1 s) and records logout_all naming the admin', async () => {
      const target = await registerUser(t);
      const second = await login(t, target.user.email, target.password);

      const response = await asAdmin('delete', `/api/v1/users/${target.user.id}/sessions`).expect(200);

      expect(response.body).toEqual({ revoked: 2 });
      const sessions = await t.db.query<{ revoke_reason: string | null }>('SELECT revoke_reason FROM sessions WHERE user_id = $1', [
        target.user.id,
      ]);
      expect(sessions.map((row) => row.revoke_reason)).toEqual(['logout_all', 'logout_all']);
      for (const token of [target.accessToken, second.accessToken]) {
        expectProblem(await refusedWithin(t, token, 1000), 401, 'session_revoked');
      }
      expect((await eventsOf(target.user.id)).at(-1)).toEqual({ type: 'logout_all', actor_id: admin.user.id, ip: null, user_agent: null });
      // The account stays usable: it can sign in again; nothing is left to revoke.
      await login(t, target.user.email, target.password);
      await expect(asAdmin('delete', `/api/v1/users/${target.user.id}/sessions`).then((r) => r.body)).resolves.toEqual({ revoked: 1 });
    });
  });

  describe('GET /users?email=', () => {
    const prefix = `find${Date.now().toString(36)}`;
    let ids: Record<string, string>;

    beforeAll(async () => {
      ids = {};
      for (const local of ['_under', 'xunder', '%pct', 'ypct', 'plain']) {
        const { user } = await registerUser(t, { email: `${prefix}${local}@example.com` });
        ids[local] = user.id;
      }
    }, BOOT_TIMEOUT_MS);

    const search = async (email: string) => {
      const response = await request(t.server).get('/api/v1/users').query({ email }).set(bearer(admin.accessToken)).expect(200);
      return response.body as { items: { id: string; email: string }[]; total: number };
    };

    it('keeps the emails that start with the text, case-insensitively, oldest first', async () => {
      const page = await search(` ${prefix.toUpperCase()} `);

      expect(page.items.map((user) => user.id)).toEqual(Object.values(ids));
      expect(page.total).toBe(5);
    });

    it('takes `_` and `%` literally', async () => {
      await expect(search(`${prefix}_`)).resolves.toMatchObject({ items: [{ id: ids._under }], total: 1 });
      await expect(search(`${prefix}%`)).resolves.toMatchObject({ items: [{ id: ids['%pct'] }], total: 1 });
    });

    it('matches only at the start, and a backslash is just a character', async () => {
      await expect(search(prefix.slice(1))).resolves.toMatchObject({ items: [], total: 0 });
      await expect(search(`${prefix}\\`)).resolves.toMatchObject({ items: [], total: 0 });
    });

    it('pages the matches', async () => {
      const response = await request(t.server)
        .get('/api/v1/users')
        .query({ email: prefix, page: 2, pageSize: 2 })
        .set(bearer(admin.accessToken))
        .expect(200);

      expect(response.body).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(response.body.items.map((user: { id: string }) => user.id)).toEqual([ids['%pct'], ids.ypct]);
    });

    it.each([['', 'empty'], ['a'.repeat(255), 'too long']])('refuses an email query that is %#: %s', async (email) => {
      const response = await request(t.server).get('/api/v1/users').query({ email }).set(bearer(admin.accessToken));

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    });
  });
});
