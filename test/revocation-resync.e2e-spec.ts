import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, registerUser } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A broadcast can be lost: here the listeners' connections are cut, the revocation's NOTIFY is
 * sent while nobody listens, and the other instance must still refuse the token once its
 * listener has reconnected and resynchronised from the sessions table.
 */
describe('revocation list resync after the listener loses its connection', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ db: a.db }); // newest app: its strategy (and list) checks the tokens
  });

  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const listeners = () =>
    a.db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'auth-service-listener' AND datname = current_database()`,
    );

  it('refuses a token revoked while the listener was down, after it reconnects', async () => {
    const user = await registerUser(a);
    await request(b.server).get('/api/v1/auth/token-info').set(bearer(user.accessToken)).expect(200);
    expect(await listeners()).toHaveLength(2);

    await a.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'auth-service-listener' AND datname = current_database()`,
    );
    // Reconnection waits at least 250 ms: the logout below is notified to no one.
    await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    const listeningAtLogout = await listeners();
    expect(listeningAtLogout).toHaveLength(0);

    const deadline = Date.now() + 5000;
    let status = 200;
    while (Date.now() < deadline) {
      status = (await request(b.server).get('/api/v1/auth/token-info').set(bearer(user.accessToken))).status;
      if (status === 401) break;
      await sleep(100);
    }
    expect(status).toBe(401);
    expect(await listeners()).toHaveLength(2);
  });
});
