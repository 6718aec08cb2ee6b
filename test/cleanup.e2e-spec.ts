import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { CLEANUP_LOCK_KEY } from '../src/sessions/sessions-cleanup.repository.js';
import { SessionsCleanupService, type CleanupReport } from '../src/sessions/sessions-cleanup.service.js';
import { login, registerUser, sessionIdOf } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { buildPrivately } from './setup/private-build.js';
import { waitFor } from './setup/wait.js';

const OLD_EVENTS = 23;

/**
 * A user with five sessions in every state the clean-up tells apart, and OLD_EVENTS events past the
 * 90-day retention written before anything else (the clean-up walks events in insertion order).
 */
async function seed(t: TestApp) {
  await t.db.query(
    `INSERT INTO auth_events (type, created_at) SELECT 'login_failed', now() - interval '91 days' - make_interval(mins => i)
       FROM generate_series(1, ${OLD_EVENTS}) AS i`,
  );
  const user = await registerUser(t);
  const ids = [sessionIdOf(user.accessToken)];
  for (const agent of ['b', 'c', 'd', 'e']) ids.push(sessionIdOf((await login(t, user.user.email, user.password, agent)).accessToken));
  const [revokedLongAgo, endedLongAgo, idledOut, revokedRecently, active] = ids;
  await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '8 days', revoke_reason = 'logout' WHERE id = $1`, [revokedLongAgo]);
  await t.db.query(
    `UPDATE sessions SET expires_at = now() - interval '8 days', absolute_expires_at = now() - interval '8 days' WHERE id = $1`,
    [endedLongAgo],
  );
  // Idled out long ago, but its absolute expiry is ahead: it goes a week after that.
  await t.db.query(`UPDATE sessions SET expires_at = now() - interval '8 days' WHERE id = $1`, [idledOut]);
  await t.db.query(`UPDATE sessions SET revoked_at = now() - interval '1 day', revoke_reason = 'logout' WHERE id = $1`, [revokedRecently]);
  return { user, removed: [revokedLongAgo, endedLongAgo], kept: [idledOut, revokedRecently, active] };
}

const count = async (t: TestApp, sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params))[0].n;
const oldEvents = (t: TestApp) => count(t, `SELECT count(*)::int AS n FROM auth_events WHERE created_at < now() - interval '90 days'`);
const allEvents = (t: TestApp) => count(t, `SELECT count(*)::int AS n FROM auth_events`);

/** Runs `sql` in a transaction left open, as another instance's batch would hold its locks. */
async function holdInTransaction(url: string, sql: string, params: unknown[]): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql, params);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Clean-up statements (each holds the clean-up lock once it runs) waiting for a row lock. */
const cleanupBatchesWaiting = (t: TestApp) =>
  count(
    t,
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_try_advisory_xact_lock%'`,
  );

describe('batched clean-up', () => {
  it('removes sessions ended a week ago and events past retention in batches, keeping the rest', async () => {
    const t = await createTestApp();
    try {
      const { user, removed, kept } = await seed(t);
      const recentEvents = (await allEvents(t)) - OLD_EVENTS;

      const report = await t.app.get(SessionsCleanupService).run(4);

      expect(report).toMatchObject({ sessions: 2, events: OLD_EVENTS, yielded: false });
      // Sessions: 2 in one batch. Events, 4 at a time: 5 batches of old ones, 1 with the last 3 old
      // ones and the first recent one, 1 with nothing to delete (recent rows only) that ends the walk.
      expect(report.batches).toBe(1 + 7);
      const sessions = await t.db.query<{ id: string }>(`SELECT id FROM sessions WHERE user_id = $1`, [user.user.id]);
      expect(sessions.map((row) => row.id).sort()).toEqual([...kept].sort());
      expect(removed.some((id) => sessions.some((row) => row.id === id))).toBe(false);
      expect(await oldEvents(t)).toBe(0);
      expect(await allEvents(t)).toBe(recentEvents);

      const again = await t.app.get(SessionsCleanupService).run(4);
      expect(again).toMatchObject({ sessions: 0, events: 0, yielded: false });
    } finally {
      await t.close();
    }
  }, 60_000);

  it('does nothing while another instance holds the lock, and the work once it is free', async () => {
    const t = await createTestApp();
    try {
      await seed(t);
      const lock = await holdInTransaction(t.db.url, 'SELECT pg_advisory_xact_lock($1::bigint)', [CLEANUP_LOCK_KEY]);
      let report;
      try {
        report = await t.app.get(SessionsCleanupService).run(4);
      } finally {
        await lock.release();
      }
      expect(report).toMatchObject({ sessions: 0, events: 0, batches: 1, yielded: true });
      expect(await oldEvents(t)).toBe(OLD_EVENTS);

      await expect(t.app.get(SessionsCleanupService).run(4)).resolves.toMatchObject({ sessions: 2, events: OLD_EVENTS, yielded: false });
    } finally {
      await t.close();
    }
  }, 60_000);

  it('two instances cleaning up at once: the second yields while a batch of the first runs, every row removed once', async () => {
    const a = await createTestApp();
    const b = await createTestApp({ db: a.db });
    try {
      const { removed } = await seed(a);
      // A's first batch takes the clean-up lock, then waits on these rows: it is in flight, for sure,
      // when B starts (two runs merely started together may as well take turns between batches).
      const rows = await holdInTransaction(a.db.url, 'SELECT 1 FROM sessions WHERE id = ANY ($1::uuid[]) FOR UPDATE', [removed]);
      const first = a.app.get(SessionsCleanupService).run(1);
      let second: CleanupReport | undefined;
      try {
        await waitFor(() => cleanupBatchesWaiting(a), 10_000);
        // B must answer at once: had it not seen the lock, it would wait for the same rows as A.
        void b.app.get(SessionsCleanupService).run(1).then((report) => (second = report));
        await waitFor(() => second, 10_000);
      } finally {
        await rows.release();
      }

      expect(second).toMatchObject({ sessions: 0, events: 0, batches: 1, yielded: true });
      await expect(first).resolves.toMatchObject({ sessions: 2, events: OLD_EVENTS, yielded: false });
      expect(await oldEvents(a)).toBe(0);
      await expect(b.app.get(SessionsCleanupService).run(1)).resolves.toMatchObject({ sessions: 0, events: 0, yielded: false });
    } finally {
      await b.close();
      await a.close();
    }
  }, 60_000);
});

describe('npm run cli -- cleanup', () => {
  const run = promisify(execFile);
  let t: TestApp;
  let outDir: string | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    // `npm run cli` builds into dist/ first; a private build keeps parallel suites off each other's files.
    outDir = dirname(await buildPrivately('cleanup-cli'));
  }, 180_000);

  afterAll(async () => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    await t?.close();
  }, 60_000);

  const cli = (...args: string[]) =>
    run(process.execPath, [join(outDir!, 'cli.js'), ...args], {
      env: { ...process.env, DATABASE_URL: t.db.url, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );

  it('runs one cycle in a separate process and prints what it removed', async () => {
    const { kept } = await seed(t);

    const result = await cli('cleanup', '--batch-size', '5');

    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^Removed 2 session\(s\) and 23 event\(s\) in \d+ batch\(es\), \d+ ms \(longest batch \d+ ms\)$/m);
    expect(await oldEvents(t)).toBe(0);
    const sessions = await t.db.query<{ id: string }>(`SELECT id FROM sessions WHERE id = ANY($1)`, [kept]);
    expect(sessions).toHaveLength(3);
  }, 60_000);

  it('refuses a bad batch size with the usage and exit code 2, removing nothing', async () => {
    await t.db.query(`INSERT INTO auth_events (type, created_at) VALUES ('login_failed', now() - interval '100 days')`);

    const result = await cli('cleanup', '--batch-size', '0');

    expect(result.code).toBe(2);
    expect(result.output).toMatch(/--batch-size must be an integer[\s\S]*Usage: npm run cli -- cleanup/);
    expect(await oldEvents(t)).toBe(1);
  }, 60_000);
});
