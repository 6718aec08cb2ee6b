import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, login, refreshWith, refusedWithin, registerUser, signInAsAdmin, tokenInfo, type SignedIn } from './factories/auth.factory.js';
import { BOOT_TIMEOUT_MS, useTestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

describe('admin: disabling accounts and the last active admin', () => {
  const t = useTestApp();

  const patch = (actor: SignedIn, id: string, body: object) =>
    request(t.server).patch(`/api/v1/users/${id}`).set(bearer(actor.accessToken)).send(body);

  const loginResponse = (email: string, password: string) => request(t.server).post('/api/v1/auth/login').send({ email, password });

  const userRow = async (id: string) =>
    (await t.db.query<{ roles: string[]; disabled_at: Date | null }>('SELECT roles, disabled_at FROM users WHERE id = $1', [id]))[0];

  const activeAdmins = async () =>
    (await t.db.query<{ id: string }>(`SELECT id FROM users WHERE 'admin' = ANY (roles) AND disabled_at IS NULL ORDER BY id`)).map(
      (row) => row.id,
    );

  describe('disable and enable', () => {
    let admin: SignedIn;

    beforeAll(async () => {
      admin = await signInAsAdmin(t);
    }, BOOT_TIMEOUT_MS);

    it('disabling revokes every session at once: access tokens within 1 s, refresh 401 session_revoked', async () => {
      const target = await registerUser(t);
      const second = await login(t, target.user.email, target.password);

      const response = await patch(admin, target.user.id, { disabled: true }).expect(200);

      expect(response.body).toMatchObject({ id: target.user.id, disabled: true });
      expect((await userRow(target.user.id)).disabled_at).toBeInstanceOf(Date);
      const sessions = await t.db.query<{ revoked_at: Date | null; revoke_reason: string | null }>(
        'SELECT revoked_at, revoke_reason FROM sessions WHERE user_id = $1',
        [target.user.id],
      );
      expect(sessions).toHaveLength(2);
      for (const session of sessions) expect(session).toEqual({ revoked_at: expect.any(Date), revoke_reason: 'account_disabled' });
      for (const token of [target.accessToken, second.accessToken]) expectProblem(await refusedWithin(t, token, 1000), 401, 'session_revoked');
      for (const token of [target.refreshToken, second.refreshToken]) expectProblem(await refreshWith(t, token), 401, 'session_revoked');
      const [event] = await t.db.query(`SELECT actor_id, ip, user_agent FROM auth_events WHERE user_id = $1 AND type = 'account_disabled'`, [
        target.user.id,
      ]);
      expect(event).toEqual({ actor_id: admin.user.id, ip: null, user_agent: null });
    });

    it('a disabled account gets 403 account_disabled only after its correct password; a wrong one stays 401', async () => {
      const target = await registerUser(t);
      await patch(admin, target.user.id, { disabled: true }).expect(200);

      expectProblem(await loginResponse(target.user.email, `${target.password}-wrong`), 401, 'invalid_credentials');
      expectProblem(await loginResponse(target.user.email, target.password), 403, 'account_disabled');
      const [{ count }] = await t.db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
        [target.user.id],
      );
      expect(count).toBe(0);
    });

    it('enabling lets the account sign in again and records account_enabled', async () => {
      const target = await registerUser(t);
      await patch(admin, target.user.id, { disabled: true }).expect(200);

      const response = await patch(admin, target.user.id, { disabled: false }).expect(200);

      expect(response.body.disabled).toBe(false);
      expect((await userRow(target.user.id)).disabled_at).toBeNull();
      const tokens = await login(t, target.user.email, target.password);
      await request(t.server).get('/api/v1/users/me').set(bearer(tokens.accessToken)).expect(200);
      const types = await t.db.query<{ type: string; actor_id: string }>(
        `SELECT type, actor_id FROM auth_events WHERE user_id = $1 AND actor_id IS NOT NULL ORDER BY id`,
        [target.user.id],
      );
      expect(types).toEqual([
        { type: 'account_disabled', actor_id: admin.user.id },
        { type: 'account_enabled', actor_id: admin.user.id },
      ]);
    });

    it('disabling an already disabled account changes nothing and revokes nothing new', async () => {
      const target = await registerUser(t);
      await patch(admin, target.user.id, { disabled: true }).expect(200);
      const [before] = await t.db.query<{ disabled_at: Date }>('SELECT disabled_at FROM users WHERE id = $1', [target.user.id]);

      await patch(admin, target.user.id, { disabled: true }).expect(200);

      expect((await userRow(target.user.id)).disabled_at).toEqual(before.disabled_at);
      const [{ count }] = await t.db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM auth_events WHERE user_id = $1 AND type = 'account_disabled'`,
        [target.user.id],
      );
      expect(count).toBe(1);
    });
  });

  describe('the last active admin', () => {
    let a: SignedIn;
    let b: SignedIn;

    /** Exactly two active admins, a and b: every other admin of earlier tests is demoted. */
    beforeEach(async () => {
      a = await signInAsAdmin(t);
      b = await signInAsAdmin(t);
      await t.db.query(`UPDATE users SET roles = '{user}' WHERE id <> ALL ($1::uuid[])`, [[a.user.id, b.user.id]]);
    }, BOOT_TIMEOUT_MS);

    it('can be demoted, disabled or deleted while another active admin remains', async () => {
      await patch(a, b.user.id, { roles: ['user'] }).expect(200);
      expect(await activeAdmins()).toEqual([a.user.id]);
    });

    it.each([
      ['demoting itself', { roles: ['user'] }],
      ['disabling itself', { disabled: true }],
      ['disabling and demoting itself', { roles: ['user'], disabled: true }],
    ])('refuses %s with 409 conflict and changes nothing', async (_case, body) => {
      await patch(a, b.user.id, { roles: ['user'] }).expect(200);

      expectProblem(await patch(a, a.user.id, body), 409, 'conflict');

      expect(await userRow(a.user.id)).toEqual({ roles: ['user', 'admin'], disabled_at: null });
      expect((await tokenInfo(t, a.accessToken)).status).toBe(200);
    });

    it('counts a disabled admin as inactive: the remaining active one is still the last', async () => {
      await patch(a, b.user.id, { disabled: true }).expect(200);

      expectProblem(await patch(a, a.user.id, { roles: ['user'] }), 409, 'conflict');
      // Enabling the other admin again lifts the rule.
      await patch(a, b.user.id, { disabled: false }).expect(200);
      await patch(a, a.user.id, { roles: ['user'] }).expect(200);
      expect(await activeAdmins()).toEqual([b.user.id]);
    });

    it('refuses deleting the last active admin, by id or by itself, with 409', async () => {
      await patch(a, b.user.id, { roles: ['user'] }).expect(200);

      expectProblem(await request(t.server).delete(`/api/v1/users/${a.user.id}`).set(bearer(a.accessToken)), 409, 'conflict');
      expectProblem(
        await request(t.server).delete('/api/v1/users/me').set(bearer(a.accessToken)).send({ currentPassword: a.password }),
        409,
        'conflict',
      );
      expect(await activeAdmins()).toEqual([a.user.id]);
    });

    it.each([
      ['demote', { roles: ['user'] } as { roles?: string[]; disabled?: boolean }],
      ['disable', { disabled: true }],
    ])('two admins who %s each other at once: exactly one succeeds, one active admin remains', async (_verb, body) => {
      for (let round = 0; round < 3; round += 1) {
        if (round > 0) {
          a = await signInAsAdmin(t);
          b = await signInAsAdmin(t);
          await t.db.query(`UPDATE users SET roles = '{user}' WHERE id <> ALL ($1::uuid[])`, [[a.user.id, b.user.id]]);
        }

        const responses = await Promise.all([patch(a, b.user.id, body), patch(b, a.user.id, body)]);

        expect(responses.map((response) => response.status).filter((status) => status === 200)).toEqual([200]);
        const loser = responses.find((response) => response.status !== 200)!;
        // A disabled loser may already be signed out before its own request is authorised.
        if (loser.status === 401) expectProblem(loser, 401, body.disabled ? 'session_revoked' : 'never');
        else expectProblem(loser, 409, 'conflict');
        expect(await activeAdmins()).toHaveLength(1);
      }
    }, 3 * BOOT_TIMEOUT_MS);
  });
});
