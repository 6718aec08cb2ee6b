import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { SecurityEvent } from '../src/sessions/security-events.js';
import { bearer, login, makeAdmin, registerUser, sessionIdOf } from './factories/auth.factory.js';
import { LoginAuditListener } from './extension/login-audit.listener.js';
import { ReportsModule } from './extension/reports.module.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

/**
 * The README's "Extending it" examples, as a module mounted beside AppModule the way an
 * application adds its own features: roles, 401/403 problems, @CurrentUser and an auth.login
 * listener, through HTTP.
 */

const EXTENSION_DIR = new URL('./extension/', import.meta.url);

describe('extending the service (README examples)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ReportsModule] });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const get = (path: string, token?: string) => {
    const call = request(t.server).get(`/api/v1/reports/${path}`);
    return token ? call.set(bearer(token)) : call;
  };

  /** An admin's access token: the role is read from the token, so log in after the promotion. */
  async function adminToken(): Promise<{ id: string; accessToken: string }> {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.user.id);
    return { id: admin.user.id, accessToken: (await login(t, admin.user.email, admin.password)).accessToken };
  }

  it('the README shows the module exactly as it is tested', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = /## Extending it\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const snippets = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    const files = readdirSync(EXTENSION_DIR).map((name) => readFileSync(new URL(name, EXTENSION_DIR), 'utf8'));

    expect(snippets).toHaveLength(files.length);
    for (const snippet of snippets) expect(files).toContain(snippet);
  });

  it('@Auth(): any signed-in user gets 200, and @CurrentUser carries the caller of that token', async () => {
    const user = await registerUser(t);

    const response = await get('me', user.accessToken).expect(200);

    expect(response.body).toEqual({ userId: user.user.id, sessionId: sessionIdOf(user.accessToken), roles: ['user'] });
  });

  it("@Auth({ roles: ['admin'] }): an admin gets 200, with @CurrentUser carrying the admin's id", async () => {
    const admin = await adminToken();

    const response = await get('logins', admin.accessToken).expect(200);

    expect(response.body.requestedBy).toBe(admin.id);
  });

  it('a plain user gets 403 forbidden, a caller without a token 401 token_missing, a bad token 401 token_invalid', async () => {
    const user = await registerUser(t);

    expectProblem(await get('logins', user.accessToken), 403, 'forbidden');
    const missing = await get('logins');
    expectProblem(missing, 401, 'token_missing');
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expectProblem(await get('me'), 401, 'token_missing');
    expectProblem(await get('me', `${user.accessToken}x`), 401, 'token_invalid');
  });

  it('the @OnEvent listener receives auth.login with the user id and the session of each login', async () => {
    const user = await registerUser(t);
    const tokens = await login(t, user.user.email, user.password, 'extension-test-agent');

    const received = t.app.get(LoginAuditListener).logins.filter((event) => event.userId === user.user.id);
    // The registration's session and the login's, in order.
    expect(received.map((event) => event.sessionId)).toEqual([sessionIdOf(user.accessToken), sessionIdOf(tokens.accessToken)]);
    expect(received[1]).toBeInstanceOf(SecurityEvent);
    expect(received[1]).toMatchObject({ type: 'login', userAgent: 'extension-test-agent', at: expect.any(Date) });

    // And through the admin route that reads what the listener collected.
    const response = await get('logins', (await adminToken()).accessToken).expect(200);
    expect(response.body.logins).toEqual(
      expect.arrayContaining([{ userId: user.user.id, sessionId: sessionIdOf(tokens.accessToken), at: expect.any(String) }]),
    );
  });
});
