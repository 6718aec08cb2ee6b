import { describe, expect, it } from '@jest/globals';
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { newUser } from './factories/user.factory.js';
import { useTestApp, useTestApps, type TestApp } from './setup/create-test-app.js';
import { describeWithRedis, TEST_REDIS_URL } from './setup/redis.js';

const THROTTLED = { THROTTLE_ENABLED: 'true', THROTTLE_LOGIN_LIMIT: '3', THROTTLE_LOGIN_TTL: '60s' };

/** A login attempt with a wrong password, from `ip` (honoured with TRUST_PROXY=true). */
const attempt = (t: TestApp, email: string, ip = '127.0.0.1') =>
  request(t.server)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', ip)
    .send({ email, password: 'not-the-password-1' });

/**
 * Redis outlives a test run, so each test speaks from an address of its own: counters of an
 * earlier run (same Redis, within the window) cannot leak into this one.
 */
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

describe('login rate limit per instance (in-memory counters)', () => {
  const t = useTestApp({ env: THROTTLED });

  it('answers the 4th attempt for one (IP, email) with 429, Retry-After and no credential check', async () => {
    const { email } = newUser();
    for (let i = 0; i < 3; i += 1) await attempt(t, email).expect(401);
    const limited = await attempt(t, email).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    const failures = await t.db.query(`SELECT count(*)::int AS n FROM auth_events WHERE type = 'login_failed'`);
    expect(failures[0].n).toBe(3);
  });

  it('does not count refreshes against the login windows (everyone behind one NAT refreshes)', async () => {
    const registered = await request(t.server).post('/api/v1/auth/register').send(newUser()).expect(201);
    let refreshToken: string = registered.body.refreshToken;
    // 20 > the per-IP login window (5 × 3): only the generous refresh window applies here.
    for (let i = 0; i < 20; i += 1) {
      const refreshed = await request(t.server).post('/api/v1/auth/refresh').send({ refreshToken }).expect(200);
      refreshToken = refreshed.body.refreshToken;
    }
  });
});

await describeWithRedis('login rate limit shared by two instances through Redis (REDIS_URL)', () => {
  const [a, b] = useTestApps(2, { env: { ...THROTTLED, REDIS_URL: TEST_REDIS_URL, TRUST_PROXY: 'true' } });

  it('counts attempts on A and B together: the 4th, on either, is 429', async () => {
    const { email } = newUser();
    const ip = freshIp();
    await attempt(a, email, ip).expect(401);
    await attempt(b, email, ip).expect(401);
    await attempt(a, email, ip).expect(401);
    const limited = await attempt(b, email, ip).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await attempt(a, email, ip).expect(429);
  });

  it('keeps other accounts from the same IP unaffected', async () => {
    const blocked = newUser().email;
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) await attempt(a, blocked, ip).expect(401);
    await attempt(b, blocked, ip).expect(429);
    await attempt(b, newUser().email, ip).expect(401);
  });
});
