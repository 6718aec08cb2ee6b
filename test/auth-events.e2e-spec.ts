import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { bearer, login, registerUser, sessionIdOf } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

// Each test makes several apps or dozens of requests: a busy machine needs more than jest's 5 s.
jest.setTimeout(60_000);

const KNOWN_AGENT = 'device-a/1.0';
const OTHER_AGENT = 'device-b/2.0';
const OTHER_IP = '203.0.113.77';

/** POST /auth/refresh as a given device: its user agent and, behind the trusted proxy, its address. */
function refreshFrom(t: TestApp, refreshToken: string, device: { agent: string; ip?: string }) {
  const call = request(t.server).post('/api/v1/auth/refresh').set('user-agent', device.agent);
  if (device.ip) call.set('x-forwarded-for', device.ip);
  return call.send({ refreshToken }).expect(200);
}

async function refreshEvents(t: TestApp, sessionId: string): Promise<{ ip: string | null; user_agent: string | null }[]> {
  return t.db.query(`SELECT ip, user_agent FROM auth_events WHERE session_id = $1 AND type = 'refresh' ORDER BY id`, [sessionId]);
}

/**
 * Walks one session through: same device twice, a new IP, a new user agent, that device again.
 * Returns how many `refresh` rows and in-process `auth.refresh` events each step added.
 */
async function walkDevices(t: TestApp) {
  const user = await registerUser(t);
  const tokens = await login(t, user.user.email, user.password, KNOWN_AGENT);
  const sid = sessionIdOf(tokens.refreshToken);
  const emitted: unknown[] = [];
  const listener = (event: { sessionId: string }) => event.sessionId === sid && emitted.push(event);
  t.app.get(EventEmitter2).on('auth.refresh', listener);
  const steps: { rows: number; emitted: number }[] = [];
  let token = tokens.refreshToken;
  try {
    for (const device of [{ agent: KNOWN_AGENT }, { agent: KNOWN_AGENT }, { agent: KNOWN_AGENT, ip: OTHER_IP }, { agent: OTHER_AGENT, ip: OTHER_IP }, { agent: OTHER_AGENT, ip: OTHER_IP }]) {
      const before = { rows: (await refreshEvents(t, sid)).length, emitted: emitted.length };
      token = (await refreshFrom(t, token, device)).body.refreshToken;
      steps.push({ rows: (await refreshEvents(t, sid)).length - before.rows, emitted: emitted.length - before.emitted });
    }
  } finally {
    t.app.get(EventEmitter2).off('auth.refresh', listener);
  }
  const [session] = await t.db.query<{ ip: string; user_agent: string; generation: number }>(
    `SELECT ip, user_agent, generation FROM sessions WHERE id = $1`,
    [sid],
  );
  return { sid, steps, session };
}

describe('AUTH_EVENTS_REFRESH', () => {
  const apps: Record<string, TestApp> = {};

  beforeAll(async () => {
    for (const mode of ['changes', 'all', 'off']) {
      apps[mode] = await createTestApp({ env: { AUTH_EVENTS_REFRESH: mode, TRUST_PROXY: 'true' } });
    }
  }, 60_000);

  afterAll(async () => {
    for (const t of Object.values(apps)) await t.close();
  }, 60_000);

  it('changes (default): a refresh from the known IP and user agent writes nothing; a new IP or user agent writes one event', async () => {
    const { sid, steps, session } = await walkDevices(apps.changes);

    expect(steps).toEqual([
      { rows: 0, emitted: 0 },
      { rows: 0, emitted: 0 },
      { rows: 1, emitted: 1 },
      { rows: 1, emitted: 1 },
      { rows: 0, emitted: 0 },
    ]);
    expect(await refreshEvents(apps.changes, sid)).toEqual([
      { ip: OTHER_IP, user_agent: KNOWN_AGENT },
      { ip: OTHER_IP, user_agent: OTHER_AGENT },
    ]);
    expect(session).toEqual({ ip: OTHER_IP, user_agent: OTHER_AGENT, generation: 5 });
  });

  it('changes is the default', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      expect(t.config.events.refresh).toBe('changes');
      expect((await walkDevices(t)).steps.map((step) => step.rows)).toEqual([0, 0, 1, 1, 0]);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('all: every refresh writes one event', async () => {
    const { steps, session } = await walkDevices(apps.all);

    expect(steps).toEqual(Array(5).fill({ rows: 1, emitted: 1 }));
    expect(session).toEqual({ ip: OTHER_IP, user_agent: OTHER_AGENT, generation: 5 });
  });

  it('off: no refresh writes an event, and the session still records the last device', async () => {
    const { steps, session } = await walkDevices(apps.off);

    expect(steps).toEqual(Array(5).fill({ rows: 0, emitted: 0 }));
    expect(session).toEqual({ ip: OTHER_IP, user_agent: OTHER_AGENT, generation: 5 });
  });

  it('changes: 10 parallel refreshes from the known device rotate once, share one token and write no event', async () => {
    const t = apps.changes;
    const user = await registerUser(t);
    const tokens = await login(t, user.user.email, user.password, KNOWN_AGENT);
    const sid = sessionIdOf(tokens.refreshToken);

    const responses = await Promise.all(Array.from({ length: 10 }, () => refreshFrom(t, tokens.refreshToken, { agent: KNOWN_AGENT })));

    expect(new Set(responses.map((response) => response.body.refreshToken)).size).toBe(1);
    expect(await t.db.query(`SELECT generation FROM sessions WHERE id = $1`, [sid])).toEqual([{ generation: 1 }]);
    expect(await refreshEvents(t, sid)).toEqual([]);
  });
});

describe('GET /auth/events paging', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);

  afterAll(async () => {
    await t.close();
  }, 60_000);

  it('counts a long history only up to 1000 past the requested page, and pages it newest first', async () => {
    const user = await registerUser(t);
    await t.db.query(
      `INSERT INTO auth_events (user_id, type, ip, created_at)
       SELECT $1, 'login_failed', '198.51.100.' || (i % 250), now() - make_interval(mins => i) FROM generate_series(1, 1100) AS i`,
      [user.user.id],
    );
    const page = (query: string) => request(t.server).get(`/api/v1/auth/events?${query}`).set(bearer(user.accessToken)).expect(200);

    const first = await page('page=1&pageSize=20');
    expect(first.body).toMatchObject({ total: 1020, page: 1, pageSize: 20 });
    expect(first.body.items[0]).toMatchObject({ type: 'login', sessionId: sessionIdOf(user.accessToken) });
    expect(first.body.items[1]).toMatchObject({ type: 'login_failed', ip: '198.51.100.1' });

    const capped = await page('page=1&pageSize=100');
    expect(capped.body.total).toBe(1100);
    const exact = await page('page=3&pageSize=100');
    expect(exact.body.total).toBe(1101);

    const last = await page('page=12&pageSize=100');
    expect(last.body).toMatchObject({ total: 1101, page: 12, pageSize: 100 });
    expect(last.body.items).toEqual([expect.objectContaining({ type: 'login_failed', ip: `198.51.100.${1100 % 250}` })]);
    const beyond = await page('page=13&pageSize=100');
    expect(beyond.body).toEqual({ items: [], total: 1101, page: 13, pageSize: 100 });
  });

  it('reports the exact total of a short history', async () => {
    const user = await registerUser(t);
    await login(t, user.user.email, user.password);

    const response = await request(t.server).get('/api/v1/auth/events?pageSize=1').set(bearer(user.accessToken)).expect(200);

    expect(response.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(response.body.items).toHaveLength(1);
  });
});
