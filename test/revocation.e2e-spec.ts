import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Response } from 'supertest';
import { PgRevocationBroadcaster } from '../src/sessions/pg-revocation-broadcaster.js';
import { RedisRevocationBroadcaster } from '../src/sessions/redis-revocation-broadcaster.js';
import { RevocationBroadcaster } from '../src/sessions/revocation-broadcaster.js';
import { bearer, claimsOf, login, refreshWith, registerUser, sessionIdOf, tokenInfo } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { redisAnswers, TEST_REDIS_URL } from './setup/redis.js';

/** API.md: revocation reaches access tokens on every running instance within 1 second. */
const PROPAGATION_LIMIT_MS = 1000;
const POLL_EVERY_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function expectProblem(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/**
 * Polls `instance` with the access token every 50 ms until it is refused or 1 s has passed since
 * `startedAt` (taken just before the revoking request was sent, so the figure is an upper bound).
 */
async function pollUntilRefused(instance: TestApp, accessToken: string, startedAt: number) {
  for (;;) {
    const response = await tokenInfo(instance, accessToken);
    const elapsedMs = Date.now() - startedAt;
    if (response.status !== 200 || elapsedMs >= PROPAGATION_LIMIT_MS) return { response, elapsedMs };
    await sleep(POLL_EVERY_MS);
  }
}

/** Cross-instance propagation times measured by this file, printed once at the end. */
const latencies: Record<string, number> = {};

async function expectRefusedWithinLimit(label: string, instance: TestApp, accessToken: string, startedAt: number) {
  const { response, elapsedMs } = await pollUntilRefused(instance, accessToken, startedAt);
  expectProblem(response, 401, 'session_revoked');
  expect(elapsedMs).toBeLessThanOrEqual(PROPAGATION_LIMIT_MS);
  latencies[label] = elapsedMs;
}

afterAll(() => {
  const lines = Object.entries(latencies).map(([label, ms]) => `  ${label}: ${ms} ms`);
  // A measurement for the run's output, not a warning (no-console allows only warn/error).
  if (lines.length) process.stdout.write(`Cross-instance revocation latency (upper bounds, ${POLL_EVERY_MS} ms polling):\n${lines.join('\n')}\n`);
});

describe('access-token revocation across two instances on one database (LISTEN/NOTIFY)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ db: a.db });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('runs both instances on the PostgreSQL broadcaster', () => {
    expect(a.app.get(RevocationBroadcaster)).toBeInstanceOf(PgRevocationBroadcaster);
    expect(b.app.get(RevocationBroadcaster)).toBeInstanceOf(PgRevocationBroadcaster);
  });

  it('logout on A: B refuses the session’s access token within 1 s', async () => {
    const user = await registerUser(a);
    await tokenInfo(b, user.accessToken).expect(200);

    const startedAt = Date.now();
    await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);

    await expectRefusedWithinLimit('logout', b, user.accessToken, startedAt);
    expectProblem(await tokenInfo(a, user.accessToken), 401, 'session_revoked');
  });

  it('logout-all on A: B refuses every session’s access token within 1 s', async () => {
    const user = await registerUser(a);
    const onB = await login(b, user.user.email, user.password, 'device-on-b');
    await tokenInfo(b, onB.accessToken).expect(200);
    await tokenInfo(b, user.accessToken).expect(200);

    const startedAt = Date.now();
    const response = await request(a.server).post('/api/v1/auth/logout-all').set(bearer(user.accessToken)).send({});
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { revoked: 2 } });

    await expectRefusedWithinLimit('logout-all', b, onB.accessToken, startedAt);
    expectProblem(await tokenInfo(b, user.accessToken), 401, 'session_revoked');
  });

  it('DELETE /auth/sessions/:id on A: B refuses that session’s access token within 1 s', async () => {
    const user = await registerUser(a);
    const target = await login(b, user.user.email, user.password, 'target');
    await tokenInfo(b, target.accessToken).expect(200);

    const startedAt = Date.now();
    await request(a.server).delete(`/api/v1/auth/sessions/${sessionIdOf(target.accessToken)}`).set(bearer(user.accessToken)).expect(204);

    await expectRefusedWithinLimit('DELETE /auth/sessions/:id', b, target.accessToken, startedAt);
    await tokenInfo(b, user.accessToken).expect(200);
  });

  it('password change on A: B refuses the other sessions’ access tokens within 1 s, not the current one', async () => {
    const user = await registerUser(a);
    const other = await login(b, user.user.email, user.password, 'other');
    await tokenInfo(b, other.accessToken).expect(200);

    const startedAt = Date.now();
    await request(a.server)
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: user.password, newPassword: `changed-${user.password}` })
      .expect(204);

    await expectRefusedWithinLimit('password change', b, other.accessToken, startedAt);
    await tokenInfo(b, user.accessToken).expect(200);
  });

  it('reuse detected on A: B refuses the legitimate holder’s latest access token within 1 s', async () => {
    const user = await registerUser(a);
    const first = await refreshWith(a, user.refreshToken).expect(200);
    const second = await refreshWith(a, first.body.refreshToken).expect(200);
    await tokenInfo(b, second.body.accessToken).expect(200);

    const startedAt = Date.now();
    expectProblem(await refreshWith(a, user.refreshToken), 401, 'refresh_token_reused');

    await expectRefusedWithinLimit('refresh token reuse', b, second.body.accessToken, startedAt);
  });

  it('concurrent refreshes of one token split across A and B all get the same token, and rotate once', async () => {
    const user = await registerUser(a);
    const sid = sessionIdOf(user.refreshToken);

    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => refreshWith(i % 2 ? b : a, user.refreshToken)));

    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const refreshTokens = new Set(responses.map((response) => response.body.refreshToken as string));
    expect(refreshTokens.size).toBe(1);
    const [next] = refreshTokens;
    expect(claimsOf(next).jti).toBe(`${sid}.1`);
    const sessions = await a.db.query(`SELECT id, generation, revoked_at FROM sessions WHERE user_id = $1`, [user.user.id]);
    expect(sessions).toEqual([{ id: sid, generation: 1, revoked_at: null }]);
    const events = await a.db.query(`SELECT type FROM auth_events WHERE session_id = $1 AND type = 'refresh'`, [sid]);
    expect(events).toHaveLength(1);
    const continued = await refreshWith(b, next).expect(200);
    expect(claimsOf(continued.body.refreshToken).jti).toBe(`${sid}.2`);
  });

  it('an instance started after the revocation refuses the token from its first request (resync at start)', async () => {
    const revoked = await registerUser(a);
    const live = await registerUser(a);
    await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: revoked.refreshToken }).expect(204);

    // C was not listening when the revocation was broadcast: only the start-up resync can tell it.
    const c = await createTestApp({ db: a.db });
    try {
      expectProblem(await tokenInfo(c, revoked.accessToken), 401, 'session_revoked');
      await tokenInfo(c, live.accessToken).expect(200);
    } finally {
      await c.close();
    }
  });
});

const REDIS_URL = TEST_REDIS_URL;

const redisAvailable = await redisAnswers(REDIS_URL);
if (!redisAvailable) {
  console.warn(`Skipping the Redis revocation tests: no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL to point at one).`);
}

(redisAvailable ? describe : describe.skip)(
  `access-token revocation across two instances through Redis pub/sub (REDIS_URL)${redisAvailable ? '' : ` [skipped: no Redis at ${REDIS_URL}]`}`,
  () => {
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      a = await createTestApp({ env: { REDIS_URL } });
      b = await createTestApp({ env: { REDIS_URL }, db: a.db });
    });

    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('logout on A: B refuses the session’s access token within 1 s', async () => {
      expect(a.app.get(RevocationBroadcaster)).toBeInstanceOf(RedisRevocationBroadcaster);
      expect(b.app.get(RevocationBroadcaster)).toBeInstanceOf(RedisRevocationBroadcaster);
      const user = await registerUser(a);
      await tokenInfo(b, user.accessToken).expect(200);

      const startedAt = Date.now();
      await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);

      await expectRefusedWithinLimit('logout (Redis)', b, user.accessToken, startedAt);
      expectProblem(await tokenInfo(a, user.accessToken), 401, 'session_revoked');
    });
  },
);

describe('ACCESS_TOKEN_REVOCATION=off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ACCESS_TOKEN_REVOCATION: 'off' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('verifies access tokens statelessly: still accepted after logout, while the refresh token is dead', async () => {
    const user = await registerUser(t);

    await request(t.server).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);

    await tokenInfo(t, user.accessToken).expect(200);
    expectProblem(await refreshWith(t, user.refreshToken), 401, 'session_revoked');
  });
});
