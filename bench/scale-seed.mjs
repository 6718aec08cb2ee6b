// Scale seeding for `node bench/run.mjs --scale N`: N users with several sessions each and the
// retention period's worth of security events, written set-based (INSERT … SELECT
// generate_series) with one argon2id hash computed once and shared by every seeded user.
//
// What one user gets (the state an instance running its hourly clean-up would hold, plus the
// one day of backlog that a clean-up cycle must remove):
//   - an active session, used within the last 15 minutes;
//   - a revoked session, revoked uniformly over the last 8 days (1/8 of them are past the
//     week ended sessions are kept, so due for clean-up);
//   - an ended session: for odd users its absolute expiry passed uniformly over the last 8 days
//     (1/8 due), for even users it idled out while its absolute expiry is still ahead (kept);
//   - EVENTS_PER_USER events spread evenly over retention + 1 day (1/91 of them due), written in
//     time order so that ids ascend with created_at as they do in production. Types follow the
//     default AUTH_EVENTS_REFRESH=changes: logins, refreshes from a new address, logouts.

import { hash as argonHash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from './floor.mjs';

export const EVENTS_PER_USER = 12;
const EVENT_TYPES = ['login', 'refresh', 'refresh', 'logout', 'login', 'refresh', 'login_failed', 'refresh', 'login', 'session_revoked', 'refresh', 'logout'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'okhttp/4.12.0',
];
const RETENTION_DAYS = 90;

const agentSql = (expr) => `(ARRAY[${AGENTS.map((a) => `'${a}'`).join(', ')}])[(${expr}) % ${AGENTS.length} + 1]`;
const userId = (i) => `md5('scale-user-' || ${i})::uuid`;
const sessionId = (kind, i) => `md5('scale-session-${kind}-' || ${i})::uuid`;

/** One argon2id hash of `password` for every seeded user (hashing a million would take hours). */
export function sharedPasswordHash(password) {
  return argonHash(password, ARGON2_OPTIONS);
}

/**
 * Drops the secondary (non-constraint) indexes of `tables`, runs `work`, then recreates them from
 * their saved definitions: building an index once is much faster than maintaining it per row.
 */
async function withoutSecondaryIndexes(client, tables, work) {
  const { rows } = await client.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const r of rows) await client.query(`DROP INDEX ${r.name}`);
  try {
    await work();
  } finally {
    for (const r of rows) await client.query(r.def);
  }
  return rows.map((r) => r.name);
}

async function timed(log, what, fn) {
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  log(`  ${what}: ${(ms / 1000).toFixed(1)} s`);
  return { result, ms };
}

/** Session tuning for bulk loading: nothing here outlives the seeding connection. */
async function bulkSession(client) {
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  await client.query(`SET work_mem = '64MB'`);
  // Foreign keys hold by construction; skipping their per-row triggers halves the load time.
  await client.query(`SET session_replication_role = replica`);
}

/** Seeds the service's schema (users, sessions, auth_events). Returns row counts and timings. */
export async function seedService(client, n, passwordHash, log) {
  await bulkSession(client);
  const steps = {};
  const events = n * EVENTS_PER_USER;
  await withoutSecondaryIndexes(client, ['users', 'sessions', 'auth_events'], async () => {
    steps.users = (await timed(log, `${n} users`, () => client.query(
      `INSERT INTO users (id, email, password_hash, name, roles, created_at, updated_at)
       SELECT ${userId('i')}, 'scale-' || i || '@example.com', $2, 'Scale User ' || i, '{user}',
              now() - interval '200 days' + make_interval(secs => i * 100.0 / $1), now() - interval '100 days'
         FROM generate_series(1, $1) AS i`,
      [n, passwordHash],
    ))).ms;
    steps.sessions = (await timed(log, `${3 * n} sessions`, () => client.query(
      `WITH spread AS (
         SELECT i, ((i::bigint * 7919) % $1)::float8 / $1 AS r FROM generate_series(1, $1) AS i
       )
       INSERT INTO sessions (id, user_id, generation, rotated_at, expires_at, absolute_expires_at, last_used_at,
                             revoked_at, revoke_reason, user_agent, ip, created_at)
       -- active: used within the last 15 minutes
       SELECT ${sessionId('a', 'i')}, ${userId('i')}, 40 + i % 500,
              date_trunc('second', now() - make_interval(secs => r * 900)),
              least(date_trunc('second', now() - make_interval(secs => r * 900)) + interval '7 days',
                    now() - make_interval(days => (i % 29)) + interval '30 days'),
              now() - make_interval(days => (i % 29)) + interval '30 days',
              now() - make_interval(secs => r * 900), NULL, NULL, ${agentSql('i')}, '10.' || i % 250 || '.' || i % 199 || '.1',
              now() - make_interval(days => (i % 29))
         FROM spread
       UNION ALL
       -- revoked over the last 8 days
       SELECT ${sessionId('r', 'i')}, ${userId('i')}, i % 50,
              now() - make_interval(secs => r * 8 * 86400) - interval '1 hour',
              now() - make_interval(secs => r * 8 * 86400) + interval '6 days',
              now() - make_interval(secs => r * 8 * 86400) + interval '20 days',
              now() - make_interval(secs => r * 8 * 86400) - interval '1 hour',
              now() - make_interval(secs => r * 8 * 86400), 'logout', ${agentSql('i + 1')}, '10.' || i % 250 || '.' || i % 197 || '.2',
              now() - make_interval(secs => r * 8 * 86400) - interval '10 days'
         FROM spread
       UNION ALL
       -- ended: absolute expiry over the last 8 days (odd users) or idled out (even users)
       SELECT ${sessionId('e', 'i')}, ${userId('i')}, i % 80,
              now() - make_interval(secs => r * 8 * 86400) - interval '7 days',
              now() - make_interval(secs => r * 8 * 86400),
              CASE WHEN i % 2 = 1 THEN now() - make_interval(secs => r * 8 * 86400) ELSE now() + make_interval(secs => r * 14 * 86400) END,
              now() - make_interval(secs => r * 8 * 86400) - interval '7 days',
              NULL, NULL, ${agentSql('i + 2')}, '10.' || i % 250 || '.' || i % 193 || '.3',
              now() - make_interval(secs => r * 8 * 86400) - interval '30 days'
         FROM spread`,
      [n],
    ))).ms;
    // One series in time order, numbered below the rows the empty-database rounds wrote: ids
    // ascend with created_at, as in a table that grew by itself (the clean-up walks them).
    await client.query(`UPDATE auth_events SET id = id + $1`, [events]);
    steps.events = (await timed(log, `${events} events`, () => client.query(
      `INSERT INTO auth_events (id, user_id, session_id, type, ip, user_agent, created_at)
       SELECT j + 1, ${userId('(j % $1) + 1')}, ${sessionId('a', '(j % $1) + 1')},
              (ARRAY[${EVENT_TYPES.map((t) => `'${t}'`).join(', ')}])[(j / $1) % ${EVENT_TYPES.length} + 1],
              '10.' || j % 250 || '.' || (j / $1) % 250 || '.9', ${agentSql('j')},
              now() - interval '${RETENTION_DAYS + 1} days' + make_interval(secs => j * (${RETENTION_DAYS + 1} * 86400.0 / $2))
         FROM generate_series(0, $2 - 1) AS j`,
      [n, events],
    ))).ms;
    await client.query(`SELECT setval(pg_get_serial_sequence('auth_events', 'id'), (SELECT max(id) FROM auth_events))`);
  }).then(async (rebuilt) => {
    log(`  rebuilt indexes: ${rebuilt.join(', ')}`);
  });
  steps.vacuum = (await timed(log, 'VACUUM ANALYZE', async () => {
    for (const t of ['users', 'sessions', 'auth_events']) await client.query(`VACUUM (ANALYZE) ${t}`);
  })).ms;
  return { users: n, sessions: 3 * n, events, stepsMs: steps };
}

/** Seeds the floor's schema (users, sessions) with the same users and sessions. */
export async function seedFloor(client, n, passwordHash, log) {
  await bulkSession(client);
  const steps = {};
  await withoutSecondaryIndexes(client, ['users', 'sessions'], async () => {
    steps.users = (await timed(log, `${n} floor users`, () => client.query(
      `INSERT INTO users (id, email, name, password_hash, roles, created_at)
       SELECT ${userId('i')}, 'scale-' || i || '@example.com', 'Scale User ' || i, $2, '{user}', now() - interval '200 days'
         FROM generate_series(1, $1) AS i`,
      [n, passwordHash],
    ))).ms;
    steps.sessions = (await timed(log, `${3 * n} floor sessions`, () => client.query(
      `INSERT INTO sessions (id, user_id, generation, refresh_hash, created_at, last_used_at, expires_at, absolute_expires_at,
                             revoked_at, user_agent, ip)
       SELECT md5('scale-session-' || k || '-' || i)::uuid, ${userId('i')}, i % 50,
              sha256(convert_to(k || '-' || i, 'UTF8')), now() - interval '10 days', now() - make_interval(secs => i % 900),
              CASE k WHEN 2 THEN now() - interval '1 day' ELSE now() + interval '6 days' END, now() + interval '20 days',
              CASE k WHEN 1 THEN now() - interval '2 days' END, ${agentSql('i + k')}, '10.' || i % 250 || '.' || k || '.1'
         FROM generate_series(1, $1) AS i, generate_series(0, 2) AS k`,
      [n],
    ))).ms;
  });
  steps.vacuum = (await timed(log, 'floor VACUUM ANALYZE', async () => {
    for (const t of ['users', 'sessions']) await client.query(`VACUUM (ANALYZE) ${t}`);
  })).ms;
  return { users: n, sessions: 3 * n, stepsMs: steps };
}

/** Heap, index and total bytes of each table, with its row count. */
export async function tableSizes(client, tables) {
  const out = {};
  for (const t of tables) {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM ${t})::bigint AS rows, pg_table_size($1::regclass)::bigint AS heap,
              pg_indexes_size($1::regclass)::bigint AS indexes, pg_total_relation_size($1::regclass)::bigint AS total`,
      [t],
    );
    const r = rows[0];
    out[t] = {
      rows: Number(r.rows),
      heapBytes: Number(r.heap),
      indexBytes: Number(r.indexes),
      totalBytes: Number(r.total),
      bytesPerRow: Number(r.rows) > 0 ? Math.round(Number(r.total) / Number(r.rows)) : null,
    };
  }
  return out;
}
