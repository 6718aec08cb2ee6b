// What `--scale` measures besides the scenarios: the clean-up (run as `cli.js cleanup`, the code
// `npm run cli -- cleanup` runs) with its longest statement from pg_stat_statements, and the
// plans of the queries that must not depend on table size.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs one clean-up cycle against the service's database in a child process. `stats` is the
 * pg_stat_statements connection (null without the extension); it is reset first, so the longest
 * statement reported is the clean-up's own (the child's start-up queries included).
 */
export async function measureCleanup({ cliEntry, env, cwd, stats, dbName }) {
  if (stats) await stats.query('SELECT pg_stat_statements_reset()');
  const t0 = performance.now();
  const { stdout, stderr } = await run(process.execPath, [cliEntry, 'cleanup'], { env, cwd, timeout: 3_600_000 });
  const wallMs = Math.round(performance.now() - t0);
  const output = `${stdout}${stderr}`.trim();
  const m = /Removed (\d+) session\(s\) and (\d+) event\(s\) in (\d+) batch\(es\), (\d+) ms \(longest batch (\d+) ms\)/.exec(output);
  if (!m) throw new Error(`cleanup printed no report: ${output.slice(0, 500)}`);
  const report = {
    sessions: Number(m[1]),
    events: Number(m[2]),
    batches: Number(m[3]),
    durationMs: Number(m[4]),
    longestBatchMs: Number(m[5]),
  };
  let statements = null;
  if (stats) {
    const { rows } = await stats.query(
      `SELECT s.calls::int AS calls, round(s.max_exec_time::numeric, 1)::float8 AS max_ms,
              round(s.mean_exec_time::numeric, 1)::float8 AS mean_ms, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 120) AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = $1 ORDER BY s.max_exec_time DESC LIMIT 5`,
      [dbName],
    );
    statements = rows.map((r) => ({ calls: r.calls, maxMs: r.max_ms, meanMs: r.mean_ms, query: r.query }));
  }
  return { wallMs, output, report, longestStatementMs: statements?.[0]?.maxMs ?? null, statements };
}

// The hot-path statements as the repositories (src/*/*.repository.ts) write them ($1 = a seeded user).
const HOT_PATHS = {
  'events page (GET /auth/events)': `SELECT type, created_at AS at, ip, user_agent, session_id FROM auth_events WHERE user_id = $1
     ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
  'events total, capped': `SELECT count(*)::int AS total FROM (SELECT 1 FROM auth_events WHERE user_id = $1 LIMIT 1020) AS capped`,
  'revocation resync': `SELECT id, revoked_at FROM sessions WHERE revoked_at > now() - make_interval(secs => 905) AND $1::uuid IS NOT NULL`,
  'login user lookup': `SELECT id FROM users WHERE lower(email) = lower((SELECT email FROM users WHERE id = $1))`,
  'login session-cap eviction': `SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
     ORDER BY last_used_at DESC, created_at DESC OFFSET 50 - 1`,
  'rotation (known device)': `UPDATE sessions s SET generation = s.generation + 1, rotated_at = date_trunc('second', now()),
     expires_at = least(date_trunc('second', now()) + interval '7 days', s.absolute_expires_at), last_used_at = now()
     FROM users u WHERE s.id = (SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL LIMIT 1) AND s.user_id = $1
     AND s.revoked_at IS NULL AND s.expires_at > now() AND u.id = s.user_id RETURNING s.id`,
  'clean-up batch: sessions': `SELECT id FROM sessions
     WHERE least(absolute_expires_at, coalesce(revoked_at, 'infinity'::timestamptz)) >= '-infinity'
       AND least(absolute_expires_at, coalesce(revoked_at, 'infinity'::timestamptz)) < now() - interval '7 days' AND $1::uuid IS NOT NULL
     ORDER BY least(absolute_expires_at, coalesce(revoked_at, 'infinity'::timestamptz)) LIMIT 500`,
  'clean-up batch: events': `SELECT id, created_at < now() - interval '90 days' AS expired FROM auth_events
     WHERE id > 0 AND $1::uuid IS NOT NULL ORDER BY id LIMIT 2000`,
};

/** EXPLAIN (ANALYZE, BUFFERS) of each hot path, in a transaction rolled back (the rotation writes). */
export async function explainHotPaths(client, sampleUserId) {
  const out = {};
  for (const [name, sql] of Object.entries(HOT_PATHS)) {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, [sampleUserId]);
      const plan = rows[0]['QUERY PLAN'][0];
      out[name] = {
        executionMs: Math.round(plan['Execution Time'] * 100) / 100,
        sharedBuffers: (plan.Plan['Shared Hit Blocks'] ?? 0) + (plan.Plan['Shared Read Blocks'] ?? 0),
        nodes: planNodes(plan.Plan),
      };
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return out;
}

/** "Limit > Index Scan Backward using auth_events_user_id_created_at_idx", depth first. */
function planNodes(node) {
  const here = `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`;
  const children = (node.Plans ?? []).map(planNodes);
  return children.length ? `${here} > ${children.join(' + ')}` : here;
}
