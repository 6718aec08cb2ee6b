import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { EmbeddedPostgres, freePort } from '../src/database/embedded-postgres.js';
import { bearer, refreshWith, tokenInfo } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';
import { waitFor } from './setup/wait.js';

/** API.md "Operations": /health/ready turns 503 within 5 s of the database going away. */
const READY_REFLECTS_OUTAGE_MS = 5000;

/** A 503 that tells the client what happened, and nothing of the SQL or the driver behind it. */
function expectUnavailable(response: Response): void {
  expectProblem(response, 503, 'service_unavailable');
  const { title, detail } = response.body as { title: string; detail: string };
  expect(`${title} ${detail}`).not.toMatch(/ECONN|SELECT|INSERT|UPDATE|sessions|users|terminat|pg_|postgres/i);
}

/**
 * A PostgreSQL of the suite's own (never the machine's), stopped and started again on the same
 * port while the application keeps running.
 */
describe('database outage and recovery without a restart', () => {
  const dataDir = join(process.cwd(), '.data', `outage-${process.env.TEST_RUN_ID}-${randomBytes(3).toString('hex')}`);
  let postgres: EmbeddedPostgres;
  let t: TestApp;

  beforeAll(async () => {
    postgres = new EmbeddedPostgres({ dataDir: join(dataDir, 'cluster'), database: 'auth', port: await freePort() });
    const url = await postgres.start();
    t = await createTestApp({ env: { DATABASE_URL: url } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 problems while it is down, and everything works again once it is back', async () => {
    const account = newUser();
    const registered = await request(t.server).post('/api/v1/auth/register').send(account).expect(201);
    const { accessToken, refreshToken } = registered.body;
    await request(t.server).get('/health/ready').expect(200);

    await postgres.stop();

    expectUnavailable(
      await waitFor(async () => {
        const response = await request(t.server).get('/health/ready');
        return response.status === 503 ? response : undefined;
      }, READY_REFLECTS_OUTAGE_MS),
    );
    expectUnavailable(await request(t.server).post('/api/v1/auth/login').send({ email: account.email, password: account.password }));
    expectUnavailable(await refreshWith(t, refreshToken));
    const late = newUser();
    expectUnavailable(await request(t.server).post('/api/v1/auth/register').send(late));
    expectUnavailable(await request(t.server).get('/api/v1/users/me').set(bearer(accessToken)));
    // Verifying an access token needs no database.
    await tokenInfo(t, accessToken).expect(200);

    await postgres.start();

    await waitFor(async () => (await request(t.server).get('/health/ready')).status === 200, 15_000, 100);
    // The refresh that failed server-side changed nothing: the same token rotates now.
    const refreshed = await refreshWith(t, refreshToken).expect(200);
    expect(refreshed.body.refreshToken).not.toBe(refreshToken);
    await request(t.server).post('/api/v1/auth/login').send({ email: account.email, password: account.password }).expect(200);
    // Nothing half-made: the registration that failed can simply be made again.
    await request(t.server).post('/api/v1/auth/register').send(late).expect(201);
    await request(t.server).get('/api/v1/users/me').set(bearer(accessToken)).expect(200);
  }, 90_000);
});
