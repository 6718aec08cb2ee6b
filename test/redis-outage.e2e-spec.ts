import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { REDIS_AVAILABLE, REDIS_UNAVAILABLE } from '../src/redis/redis-connections.js';
import { refreshWith, registerUser, tokenInfo } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';
import { RedisServer, redisServerMissing } from './setup/redis-server.js';
import { waitFor } from './setup/wait.js';

/**
 * Bound on the median refresh while Redis is down. A refresh waiting on the dead Redis (ioredis
 * retrying the command) took about a second; the fallback itself takes no time, the rest is a
 * busy test machine.
 */
const NO_WAIT_BOUND_MS = 750;

const missing = redisServerMissing();
if (missing) console.warn(`Skipping the Redis outage suite: ${missing}`);

const attempt = (t: TestApp, email: string, ip: string) =>
  request(t.server).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: 'not-the-password-1' });

const redisIndicator = async (t: TestApp) => {
  const response = await request(t.server).get('/health/ready');
  return { status: response.status, redis: response.body.details?.redis?.status as string | undefined };
};

/** API.md "Operations": Redis is a helper. Two instances on a Redis this suite stops and starts. */
(missing ? describe.skip : describe)('Redis outage (REDIS_URL set, Redis stopped, then back)', () => {
  let redis: RedisServer;
  let a: TestApp;
  let b: TestApp;
  const events: Record<string, string[]> = { a: [], b: [] };

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, THROTTLE_ENABLED: 'true', THROTTLE_LOGIN_LIMIT: '3', TRUST_PROXY: 'true' };
    a = await createTestApp({ env });
    b = await createTestApp({ env, db: a.db }); // newest app: its strategy checks access tokens
    for (const [name, t] of [['a', a], ['b', b]] as const) {
      const emitter = t.app.get(EventEmitter2);
      for (const event of [REDIS_UNAVAILABLE, REDIS_AVAILABLE]) emitter.on(event, () => events[name].push(event));
    }
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  }, 60_000);

  it('works on Redis, falls back while it is down, and switches back by itself', async () => {
    expect(await redisIndicator(b)).toEqual({ status: 200, redis: 'up' });
    const before = await registerUser(a);

    await redis.stop();
    expect(await waitFor(async () => ((await redisIndicator(a)).redis === 'degraded' ? redisIndicator(b) : undefined), 5000)).toEqual({
      status: 200,
      redis: 'degraded',
    });
    const ready = await request(a.server).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'degraded', details: { database: { status: 'up' }, redis: { status: 'degraded' } } });

    // Registration, refresh and login work, none waits on the dead Redis.
    const during = await registerUser(b);
    let refreshToken = during.refreshToken;
    const refreshMs: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const startedAt = Date.now();
      const refreshed = await refreshWith(b, refreshToken).expect(200);
      refreshMs.push(Date.now() - startedAt);
      refreshToken = refreshed.body.refreshToken;
    }
    process.stdout.write(`Refresh with Redis down: ${refreshMs.join(', ')} ms\n`);
    expect([...refreshMs].sort((x, y) => x - y)[2]).toBeLessThan(NO_WAIT_BOUND_MS);
    await request(a.server).post('/api/v1/auth/login').send({ email: during.user.email, password: during.password }).expect(200);

    // Rate limits hold per instance: 3 failures on A, then 429 on A; B counts on its own.
    const { email } = newUser();
    for (let i = 0; i < 3; i += 1) await attempt(a, email, '10.1.0.1').expect(401);
    expectProblem(await attempt(a, email, '10.1.0.1'), 429, 'rate_limited');
    await attempt(b, email, '10.1.0.1').expect(401);

    // A logout on A during the outage: its broadcast cannot go out.
    await request(a.server).post('/api/v1/auth/logout').send({ refreshToken: before.refreshToken }).expect(204);

    await redis.start();
    await waitFor(async () => (await redisIndicator(a)).redis === 'up' && (await redisIndicator(b)).redis === 'up', 5000);
    // B resynchronised from the table when its subscriber came back: the token revoked meanwhile is refused.
    const refused = await waitFor(async () => {
      const response = await tokenInfo(b, before.accessToken);
      return response.status === 401 ? response : undefined;
    }, 5000);
    expectProblem(refused, 401, 'session_revoked');

    // Shared counters again: attempts on A and B add up.
    const shared = newUser().email;
    await attempt(a, shared, '10.2.0.1').expect(401);
    await attempt(b, shared, '10.2.0.1').expect(401);
    await attempt(a, shared, '10.2.0.1').expect(401);
    expectProblem(await attempt(b, shared, '10.2.0.1'), 429, 'rate_limited');

    // One warning (and one event, for metrics) per outage on each instance, however many requests it saw.
    expect(events).toEqual({ a: [REDIS_UNAVAILABLE, REDIS_AVAILABLE], b: [REDIS_UNAVAILABLE, REDIS_AVAILABLE] });
  }, 120_000);
});
