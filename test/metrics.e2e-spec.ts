import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, login, refreshWith, registerUser, sessionIdOf } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

type Labels = Record<string, string>;

/** The value of the sample `name{labels}` in a Prometheus text exposition; 0 when the series is absent. */
function sampleValue(exposition: string, name: string, labels: Labels = {}): number {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

/** Every value the label `label` takes in the samples of `name`. */
function labelValues(exposition: string, name: string, label: string): string[] {
  const values = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return [...values].sort();
}

const scrape = async (t: TestApp, headers: Record<string, string> = {}) => {
  const response = await request(t.server).get('/metrics').set(headers).expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
};

describe('GET /metrics (default configuration)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers outside /api/v1 without a token, with the process default metrics', async () => {
    const text = await scrape(t);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expectProblem(await request(t.server).get('/api/v1/metrics'), 404, 'not_found');
  });

  it('labels request durations by route pattern and status, never by raw URL', async () => {
    const before = await scrape(t);
    const user = await registerUser(t);
    const ownSession = sessionIdOf(user.accessToken);
    const unknownSession = randomUUID();
    await request(t.server).get('/api/v1/users/me').set(bearer(user.accessToken)).expect(200);
    await request(t.server).delete(`/api/v1/auth/sessions/${unknownSession}`).set(bearer(user.accessToken)).expect(404);
    await request(t.server).delete(`/api/v1/auth/sessions/${ownSession}`).set(bearer(user.accessToken)).expect(204);
    await request(t.server).get(`/no/such/route/${unknownSession}`).expect(404);

    const text = await scrape(t);
    const count = (method: string, route: string, status: string) => {
      const labels = { method, route, status_code: status };
      const name = 'http_request_duration_seconds_count';
      return sampleValue(text, name, labels) - sampleValue(before, name, labels);
    };
    expect(count('POST', '/api/v1/auth/register', '201')).toBe(1);
    expect(count('GET', '/api/v1/users/me', '200')).toBe(1);
    expect(count('DELETE', '/api/v1/auth/sessions/:id', '404')).toBe(1);
    expect(count('DELETE', '/api/v1/auth/sessions/:id', '204')).toBe(1);
    expect(count('GET', 'unmatched', '404')).toBe(1);
    // The scrape before is observed too, under its own pattern.
    expect(count('GET', '/metrics', '200')).toBe(1);
    const series = { method: 'GET', route: '/api/v1/users/me', status_code: '200' };
    expect(sampleValue(text, 'http_request_duration_seconds_bucket', { ...series, le: '+Inf' })).toBe(1);
    expect(sampleValue(text, 'http_request_duration_seconds_sum', series)).toBeGreaterThan(0);

    const routes = labelValues(text, 'http_request_duration_seconds_count', 'route');
    expect(routes.filter((route) => !route.startsWith('/') && route !== 'unmatched')).toEqual([]);
    expect(text).not.toContain(unknownSession);
    expect(text).not.toContain(ownSession);
    expect(text).not.toContain('/no/such/route');
  });

  it('counts logins, refreshes by outcome and revocations by reason', async () => {
    const before = await scrape(t);
    const user = await registerUser(t);
    await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: 'wrong-password-1' }).expect(401);
    const first = await login(t, user.user.email, user.password);
    const second = (await refreshWith(t, first.refreshToken).expect(200)).body;
    // The parent again within REFRESH_REUSE_GRACE: the current token once more.
    await refreshWith(t, first.refreshToken).expect(200);
    await refreshWith(t, second.refreshToken).expect(200);
    // Two generations old: reuse, and the session is revoked.
    expectProblem(await refreshWith(t, first.refreshToken), 401, 'refresh_token_reused');
    expectProblem(await refreshWith(t, second.refreshToken), 401, 'session_revoked');
    const other = await login(t, user.user.email, user.password);
    await request(t.server).post('/api/v1/auth/logout').send({ refreshToken: other.refreshToken }).expect(204);
    await request(t.server)
      .post('/api/v1/auth/logout-all')
      .set(bearer(user.accessToken))
      .send({ keepCurrent: false })
      .expect(200, { revoked: 1 });

    const after = await scrape(t);
    const moved = (name: string, labels: Labels) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect({
      loginSuccess: moved('auth_logins_total', { result: 'success' }),
      loginRefused: moved('auth_logins_total', { result: 'invalid_credentials' }),
      rotated: moved('auth_refreshes_total', { result: 'rotated' }),
      grace: moved('auth_refreshes_total', { result: 'grace' }),
      reused: moved('auth_refreshes_total', { result: 'reused' }),
      invalid: moved('auth_refreshes_total', { result: 'invalid' }),
      revokedForReuse: moved('auth_revocations_total', { reason: 'refresh_token_reused' }),
      loggedOut: moved('auth_revocations_total', { reason: 'logout' }),
      loggedOutAll: moved('auth_revocations_total', { reason: 'logout_all' }),
    }).toEqual({
      loginSuccess: 2,
      loginRefused: 1,
      rotated: 2,
      grace: 1,
      reused: 1,
      invalid: 1,
      revokedForReuse: 1,
      loggedOut: 1,
      loggedOutAll: 1,
    });
  });

  it('counts mails by kind and result from the mail module’s events', async () => {
    const before = await scrape(t);
    const emitter = t.app.get(EventEmitter2);
    emitter.emit('mail.result', { kind: 'password_reset', result: 'sent' });
    emitter.emit('mail.result', { kind: 'password_reset', result: 'failed' });
    emitter.emit('mail.result', { kind: 'password_reset', result: 'sent' });
    const after = await scrape(t);
    const moved = (result: string) =>
      sampleValue(after, 'auth_mails_total', { kind: 'password_reset', result }) -
      sampleValue(before, 'auth_mails_total', { kind: 'password_reset', result });
    expect({ sent: moved('sent'), failed: moved('failed') }).toEqual({ sent: 2, failed: 1 });
  });
});

describe('GET /metrics with METRICS_ENABLED=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_ENABLED: 'false' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('is 404, and the API still answers', async () => {
    expectProblem(await request(t.server).get('/metrics'), 404, 'not_found');
    await request(t.server).get('/health/live').expect(200);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'scrape-token-7f3a9c1e5b';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses a missing bearer with a 401 problem and a challenge', async () => {
    const response = await request(t.server).get('/metrics');
    expectProblem(response, 401, 'token_missing');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['a wrong token', `${token}x`],
    ['a prefix of the token', token.slice(0, -1)],
    ['an access token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'],
  ])('refuses %s with 401 token_invalid', async (_case, presented) => {
    const response = await request(t.server).get('/metrics').set(bearer(presented));
    expectProblem(response, 401, 'token_invalid');
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.text).not.toContain('process_cpu');
  });

  it('refuses the token sent any other way than as a bearer', async () => {
    expectProblem(await request(t.server).get('/metrics').set('Authorization', `Basic ${token}`), 401, 'token_missing');
    expectProblem(await request(t.server).get(`/metrics?token=${token}`), 401, 'token_missing');
  });

  it('answers 200 with the right bearer', async () => {
    const text = await scrape(t, bearer(token));
    expect(text).toContain('auth_logins_total');
  });
});
