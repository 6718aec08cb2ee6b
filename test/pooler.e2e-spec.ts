import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { newUser } from './factories/user.factory.js';
import { bearer, tokenInfo } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { TestDatabase } from './setup/database.js';
import { pgbouncerMissing, startPgBouncer, type PgBouncer } from './setup/pgbouncer.js';
import { expectProblem } from './setup/problem.js';
import { waitFor } from './setup/wait.js';

const CLIENTS = 6;
const CHAINS_PER_CLIENT = 4;
const REFRESHES_PER_CHAIN = 3;

const missing = pgbouncerMissing();
if (missing) console.warn(`Skipping the PgBouncer suite: ${missing}`);

/**
 * Two instances behind PgBouncer in pool_mode=transaction with two server connections: every
 * transaction may land on another server connection, which named prepared statements do not
 * survive. DATABASE_PREPARED_STATEMENTS=off runs the same SQL unnamed; LISTEN goes to the server
 * directly through DATABASE_LISTEN_URL.
 */
(missing ? describe.skip : describe)('through PgBouncer in transaction mode (DATABASE_PREPARED_STATEMENTS=off)', () => {
  let bouncer: PgBouncer;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    bouncer = await startPgBouncer(2);
    db = await TestDatabase.create();
    const env = { DATABASE_URL: bouncer.urlFor(db.url), DATABASE_LISTEN_URL: db.url, DATABASE_PREPARED_STATEMENTS: 'off' };
    a = await createTestApp({ db, env });
    b = await createTestApp({ db, env }); // newest app: its strategy checks access tokens (see createTestApp)
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
    await bouncer?.stop();
  }, 60_000);

  it('answers concurrent register → login → refresh chains without a single 5xx', async () => {
    const statuses: Record<string, number[]> = { register: [], login: [], refresh: [], me: [] };
    const client = async (index: number) => {
      const app = index % 2 === 0 ? a : b;
      for (let chain = 0; chain < CHAINS_PER_CLIENT; chain += 1) {
        const body = newUser();
        const registered = await request(app.server).post('/api/v1/auth/register').send(body);
        statuses.register.push(registered.status);
        const loggedIn = await request(app.server).post('/api/v1/auth/login').send({ email: body.email, password: body.password });
        statuses.login.push(loggedIn.status);
        let refreshToken: string = loggedIn.body.refreshToken;
        for (let i = 0; i < REFRESHES_PER_CHAIN; i += 1) {
          const refreshed = await request(app.server).post('/api/v1/auth/refresh').send({ refreshToken });
          statuses.refresh.push(refreshed.status);
          refreshToken = refreshed.body.refreshToken;
        }
        const me = await request(app.server).get('/api/v1/users/me').set(bearer(registered.body.accessToken));
        statuses.me.push(me.status);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

    const all = Object.values(statuses).flat();
    const errors = all.filter((status) => status >= 500).length;
    process.stdout.write(`PgBouncer (transaction mode, 2 server connections): ${all.length} requests from ${CLIENTS} clients, ${errors} 5xx\n`);
    const chains = CLIENTS * CHAINS_PER_CLIENT;
    expect(statuses).toEqual({
      register: Array(chains).fill(201),
      login: Array(chains).fill(200),
      refresh: Array(chains * REFRESHES_PER_CHAIN).fill(200),
      me: Array(chains).fill(200),
    });
    const [{ users }] = await db.query<{ users: number }>(`SELECT count(*)::int AS users FROM users`);
    expect(users).toBe(chains);
  }, 120_000);

  it('still reaches access tokens on the other instance within 1 s (LISTEN on the direct connection)', async () => {
    const registered = await request(a.server).post('/api/v1/auth/register').send(newUser()).expect(201);
    await tokenInfo(b, registered.body.accessToken).expect(200);

    await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: registered.body.refreshToken }).expect(204);

    const refused = await waitFor(async () => {
      const response = await tokenInfo(b, registered.body.accessToken);
      return response.status === 401 ? response : undefined;
    }, 1000);
    expectProblem(refused, 401, 'session_revoked');
    const listeners = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'auth-service-listener' AND datname = current_database()`,
    );
    expect(listeners).toHaveLength(2);
  }, 30_000);

  it('reports ready through the pooler', async () => {
    const response = await request(b.server).get('/health/ready').expect(200);
    expect(response.body.details).toMatchObject({ database: { status: 'up' }, migrations: { status: 'up' } });
  }, 30_000);
});
