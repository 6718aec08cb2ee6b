import { describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { login, registerUser, sessionIdOf } from './factories/auth.factory.js';
import { createTestApp, useTestApp, type TestApp } from './setup/create-test-app.js';

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
  const apps = {
    changes: useTestApp({ env: { AUTH_EVENTS_REFRESH: 'changes', TRUST_PROXY: 'true' } }),
    all: useTestApp({ env: { AUTH_EVENTS_REFRESH: 'all', TRUST_PROXY: 'true' } }),
    off: useTestApp({ env: { AUTH_EVENTS_REFRESH: 'off', TRUST_PROXY: 'true' } }),
  };

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
  });

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
