import { describe, expect, it } from '@jest/globals';
import { logoutWith, refusedWithin, registerUser, tokenInfo } from './factories/auth.factory.js';
import { useTestApps } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

/**
 * A broadcast can be lost: here the listeners' connections are cut, the revocation's NOTIFY is
 * sent while nobody listens, and the other instance must still refuse the token once its
 * listener has reconnected and resynchronised from the sessions table.
 */
describe('revocation list resync after the listener loses its connection', () => {
  const [a, b] = useTestApps(2); // b is the newest app: its strategy (and list) checks the tokens

  const listeners = () =>
    a.db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'auth-service-listener' AND datname = current_database()`,
    );

  it('refuses a token revoked while the listener was down, after it reconnects', async () => {
    const user = await registerUser(a);
    await tokenInfo(b, user.accessToken).expect(200);
    expect(await listeners()).toHaveLength(2);

    await a.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'auth-service-listener' AND datname = current_database()`,
    );
    // Reconnection waits at least 250 ms: the logout below is notified to no one.
    await logoutWith(a, user.refreshToken).expect(204);
    const listeningAtLogout = await listeners();
    expect(listeningAtLogout).toHaveLength(0);

    const refused = await refusedWithin(b, user.accessToken, 5000, 100);
    expect(refused.status).toBe(401);
    expectProblem(refused, 401, 'session_revoked');
    expect(await listeners()).toHaveLength(2);
  });
});
