import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, login, makeAdmin, registerUser, signInAsAdmin } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

const USER_KEYS = ['createdAt', 'disabled', 'email', 'emailVerified', 'id', 'name', 'roles'];

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  password_hash: string;
  created_at: Date;
}

describe('users (/api/v1/users)', () => {
  const t = useTestApp();

  const userRow = async (id: string): Promise<UserRow> => {
    const [row] = await t.db.query<UserRow>(
      'SELECT id, email, name, roles, password_hash, created_at FROM users WHERE id = $1',
      [id],
    );
    return row;
  };


  describe('GET /users/me', () => {
    it('returns exactly { id, email, emailVerified, name, roles, disabled, createdAt } as stored', async () => {
      const me = await registerUser(t, { name: 'Ada Lovelace' });

      const response = await request(t.server).get('/api/v1/users/me').set(bearer(me.accessToken)).expect(200);

      expect(Object.keys(response.body).sort()).toEqual(USER_KEYS);
      const row = await userRow(me.user.id);
      expect(response.body).toEqual({
        id: row.id,
        email: row.email,
        emailVerified: false,
        name: 'Ada Lovelace',
        roles: ['user'],
        disabled: false,
        createdAt: row.created_at.toISOString(),
      });
      expect(JSON.stringify(response.body)).not.toContain(row.password_hash);
      expect(JSON.stringify(response.body)).not.toMatch(/password/i);
    });

    it('answers 401 token_missing with a Bearer challenge when no token is sent', async () => {
      const response = await request(t.server).get('/api/v1/users/me');

      expectProblem(response, 401, 'token_missing');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('PATCH /users/me', () => {
    it('updates the name, trimmed, and persists it', async () => {
      const me = await registerUser(t, { name: 'Before' });

      const response = await request(t.server)
        .patch('/api/v1/users/me')
        .set(bearer(me.accessToken))
        .send({ name: '  Grace Hopper  ' })
        .expect(200);

      expect(Object.keys(response.body).sort()).toEqual(USER_KEYS);
      expect(response.body).toMatchObject({ id: me.user.id, email: me.user.email, name: 'Grace Hopper', roles: ['user'] });
      expect((await userRow(me.user.id)).name).toBe('Grace Hopper');
      const again = await request(t.server).get('/api/v1/users/me').set(bearer(me.accessToken)).expect(200);
      expect(again.body.name).toBe('Grace Hopper');
    });

    it('accepts a 100-character name (the upper bound)', async () => {
      const me = await registerUser(t);
      const name = 'n'.repeat(100);

      await request(t.server).patch('/api/v1/users/me').set(bearer(me.accessToken)).send({ name }).expect(200);

      expect((await userRow(me.user.id)).name).toBe(name);
    });

    it.each([
      ['roles', { roles: ['admin'] }],
      ['email', { email: 'someone-else@example.com' }],
      ['id', { id: '00000000-0000-4000-8000-000000000000' }],
    ])('rejects a client-set %s with 400 validation_failed and changes nothing', async (field, extra) => {
      const me = await registerUser(t, { name: 'Unchanged' });
      const before = await userRow(me.user.id);

      const response = await request(t.server)
        .patch('/api/v1/users/me')
        .set(bearer(me.accessToken))
        .send({ name: 'Changed', ...extra });

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await userRow(me.user.id)).toEqual(before);
    });

    it('rejects a body with only a forbidden field (roles) and keeps the roles', async () => {
      const me = await registerUser(t);

      const response = await request(t.server)
        .patch('/api/v1/users/me')
        .set(bearer(me.accessToken))
        .send({ roles: ['admin'] });

      expectProblem(response, 400, 'validation_failed');
      expect((await userRow(me.user.id)).roles).toEqual(['user']);
    });

    it.each([
      ['empty', ''],
      ['blank (empty once trimmed)', '   '],
      ['101 characters', 'n'.repeat(101)],
      ['not a string', 42],
    ])('rejects a name that is %s with 400 and keeps the old one', async (_case, name) => {
      const me = await registerUser(t, { name: 'Kept' });

      const response = await request(t.server).patch('/api/v1/users/me').set(bearer(me.accessToken)).send({ name });

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
      expect((await userRow(me.user.id)).name).toBe('Kept');
    });

    it('answers 401 token_missing without a token', async () => {
      const response = await request(t.server).patch('/api/v1/users/me').send({ name: 'Nobody' });

      expectProblem(response, 401, 'token_missing');
    });
  });

  describe('GET /users (admin)', () => {
    it('answers 403 forbidden to a plain user', async () => {
      const me = await registerUser(t);

      const response = await request(t.server).get('/api/v1/users').set(bearer(me.accessToken));

      expectProblem(response, 403, 'forbidden');
    });

    it('answers 401 token_missing without a token', async () => {
      const response = await request(t.server).get('/api/v1/users');

      expectProblem(response, 401, 'token_missing');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it('reads roles from the token: a token issued before the promotion is still refused', async () => {
      const promoted = await registerUser(t);
      await makeAdmin(t, promoted.user.id);

      const stale = await request(t.server).get('/api/v1/users').set(bearer(promoted.accessToken));
      expectProblem(stale, 403, 'forbidden');

      const fresh = await login(t, promoted.user.email, promoted.password);
      await request(t.server).get('/api/v1/users').set(bearer(fresh.accessToken)).expect(200);
    });

    it('lists every user, oldest first, as public user objects with the page envelope', async () => {
      const admin = await signInAsAdmin(t);
      const first = await registerUser(t);
      const second = await registerUser(t);

      const response = await request(t.server)
        .get('/api/v1/users')
        .query({ pageSize: 100 })
        .set(bearer(admin.accessToken))
        .expect(200);

      const [{ count }] = await t.db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
      expect(Object.keys(response.body).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
      expect(response.body).toMatchObject({ total: count, page: 1, pageSize: 100 });
      const items: { id: string; createdAt: string }[] = response.body.items;
      expect(items).toHaveLength(count);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(USER_KEYS);
      const times = items.map((item) => Date.parse(item.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const ids = items.map((item) => item.id);
      expect(ids.indexOf(admin.user.id)).toBeLessThan(ids.indexOf(first.user.id));
      expect(ids.indexOf(first.user.id)).toBeLessThan(ids.indexOf(second.user.id));
      expect(items.find((item) => item.id === admin.user.id)).toMatchObject({ roles: ['user', 'admin'] });
    });

    it('uses page 1 and pageSize 20 by default', async () => {
      const admin = await signInAsAdmin(t);

      const response = await request(t.server).get('/api/v1/users').set(bearer(admin.accessToken)).expect(200);

      expect(response.body).toMatchObject({ page: 1, pageSize: 20 });
      expect(response.body.items.length).toBeLessThanOrEqual(20);
    });

    it('paginates: ?page=2&pageSize=1 is the second user of the oldest-first order', async () => {
      const admin = await signInAsAdmin(t);
      await registerUser(t);
      const all = await request(t.server)
        .get('/api/v1/users')
        .query({ pageSize: 100 })
        .set(bearer(admin.accessToken))
        .expect(200);

      const response = await request(t.server)
        .get('/api/v1/users?page=2&pageSize=1')
        .set(bearer(admin.accessToken))
        .expect(200);

      expect(response.body).toEqual({ items: [all.body.items[1]], total: all.body.total, page: 2, pageSize: 1 });
      const past = await request(t.server)
        .get('/api/v1/users')
        .query({ page: all.body.total + 1, pageSize: 1 })
        .set(bearer(admin.accessToken))
        .expect(200);
      expect(past.body).toMatchObject({ items: [], total: all.body.total });
    });

    it.each([
      ['pageSize=101', 'pageSize'],
      ['pageSize=0', 'pageSize'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['page=100001', 'page'],
      ['page=1e300', 'page'],
      ['page=1e2', 'page'],
      ['page=12345678901234567890', 'page'],
      ['pageSize=-1', 'pageSize'],
      ['pageSize=1000', 'pageSize'],
    ])('rejects ?%s with 400 validation_failed', async (query, field) => {
      const admin = await signInAsAdmin(t);

      const response = await request(t.server).get(`/api/v1/users?${query}`).set(bearer(admin.accessToken));

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });
});
