import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, login, makeAdmin, registerUser } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

/** API.md paging rule: plain decimal integers, page 1..100000, pageSize 1..100, never clamped. */
const BAD_PAGING: [string, string][] = [
  ['page', '1e300'],
  ['page', '99999999999999999999'],
  ['page', '100001'],
  ['page', '-1'],
  ['page', '0'],
  ['page', '1.5'],
  ['page', 'abc'],
  ['page', ''],
  ['page', '0x10'],
  ['page', ' 1'],
  ['pageSize', '1000'],
  ['pageSize', '101'],
  ['pageSize', '0'],
  ['pageSize', '1e2'],
  ['pageSize', '-5'],
];

describe('query and path parameters are checked before they reach the database', () => {
  const t = useTestApp();

  const admin = async () => {
    const registered = await registerUser(t);
    await makeAdmin(t, registered.user.id);
    return login(t, registered.user.email, registered.password);
  };

  describe.each(['/api/v1/auth/events', '/api/v1/users'])('GET %s', (path) => {
    it.each(BAD_PAGING)('answers %s=%s with 400 validation_failed naming the parameter', async (name, value) => {
      const { accessToken } = await admin();

      const response = await request(t.server).get(path).query({ [name]: value }).set(bearer(accessToken));

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: name, message: expect.any(String) }]);
    });

    it('answers a repeated parameter with 400', async () => {
      const { accessToken } = await admin();

      expectProblem(await request(t.server).get(`${path}?page=1&page=2`).set(bearer(accessToken)), 400, 'validation_failed');
    });

    it('accepts the bounds as they are: page=100000 (an empty page) and pageSize=100', async () => {
      const { accessToken } = await admin();

      const last = await request(t.server).get(path).query({ page: '100000', pageSize: '100' }).set(bearer(accessToken)).expect(200);
      expect(last.body).toMatchObject({ items: [], page: 100000, pageSize: 100 });
      const first = await request(t.server).get(path).query({ page: '1', pageSize: '1' }).set(bearer(accessToken)).expect(200);
      expect(first.body).toMatchObject({ page: 1, pageSize: 1 });
      expect(first.body.items).toHaveLength(1);
    });
  });

  it.each(['not-a-uuid', '1', "1' OR '1'='1", '6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5x', '6adbfc9c6f6843a6a2f00d49d5cdcea5z'])(
    'DELETE /auth/sessions/%s (not a UUID) is 400 validation_failed and revokes nothing',
    async (id) => {
      const user = await registerUser(t);

      const response = await request(t.server).delete(`/api/v1/auth/sessions/${encodeURIComponent(id)}`).set(bearer(user.accessToken));

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      const [row] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
        [user.user.id],
      );
      expect(row.n).toBe(1);
    },
  );
});
